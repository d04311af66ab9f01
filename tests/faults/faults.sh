#!/bin/bash
# Failure paths, proven on a stock kernel: a test build of hoguard.ko
# (KCFLAGS=-DHOG_FAULT_TEST, tests/faults/run.sh) has a parameter that makes
# every Nth of the module's own allocations fail (fault_every) and counts
# those it failed (faults). Run as root in the test VM:
#
#   scripts/vmrun 6.12 tests/faults/faults.sh /path/to/test-build/hoguard.ko
#
# While every 7th allocation fails: host-only devices are created, renamed,
# moved into namespaces and given addresses, the configuration is written,
# and guests send to the outside. Nothing may leak (lan's ingress counter of
# host-only sources stays at 0, every drop is counted once, by whichever
# rule: a closed namespace judges strictly), a refused write
# leaves the configuration as it was, a device moved in stays guarded (or
# its namespace closed). Then the faults stop, and everything must come back
# exactly: no namespace left closed, every device where it belongs.
set -eu

FAULTS_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
. "$FAULTS_DIR/../e2e/lib.sh"

KO=${1:-}
ROUNDS=12
PFX=hf-

on_err() {
	fail "setup" "line $1: '$2' failed with status $3"
	summary
}
set -E
trap 'on_err "$LINENO" "$BASH_COMMAND" "$?"' ERR

cleanup() {
	trap - ERR
	set +e
	loaded && rmmod hoguard
	topo_names "" "$PFX"
	topo_del
	ip netns del hf-mv 2>/dev/null
	[ -z "$RUNDIR" ] || rm -rf "$RUNDIR"
	return 0
}

# load_fails N [PARAMS]: insmod with fault_every=N: the module's N-th
# allocation of the load fails (and every N-th after it). Sets LOAD_ST:
# refused (ENOMEM, and nothing of the module left), loaded (then with
# fault_every 0: a failure the load absorbed), or what went wrong.
load_fails() {
	local err
	LOAD_ST=
	if err=$(insmod "$KO" "fault_every=$1" ${2:+"$2"} 2>&1); then
		must_set fault_every 0
		LOAD_FAULTS=$(pget faults)
		LOAD_ST=loaded
	elif [[ $err == *"Cannot allocate memory"* ]] && ! loaded &&
		[ ! -e /proc/net/hoguard ]; then
		LOAD_ST=refused
	else
		LOAD_ST="insmod: $err; loaded: $(loaded && echo yes || echo no)"
	fi
}

# The load, each of the module's allocations in it failed in turn: with
# fault_every=N the N-th fails, until a load makes fewer than N (none
# failed). hog_init()'s first is the per-CPU counters (hog_stats_alloc()),
# whose error path must free nothing; every later one unwinds what came
# before it. Each load is refused with ENOMEM and leaves nothing, or loads
# and guards (a failure it absorbed: a namespace closed, then rebuilt).
sweep_load() {
	local n refused=0 absorbed=0 bad=0
	load_fails 1
	check_eq "load: fault_every=1, hog_init()'s first allocation (the per-CPU counters) fails: refused with ENOMEM, nothing left" \
		"$LOAD_ST" refused
	loaded && rmmod hoguard
	for ((n = 1; n <= 200; n++)); do
		load_fails "$n" 'hostonly=vmnet1,vboxnet*'
		if [ "$LOAD_ST" = refused ]; then
			refused=$((refused + 1))
			continue
		fi
		if [ "$LOAD_ST" != loaded ]; then
			bad=$((bad + 1))
			echo "# load with fault_every=$n: $LOAD_ST"
			loaded && rmmod hoguard
			continue
		fi
		if ! guarded_in "" vmnet1; then
			bad=$((bad + 1))
			echo "# load with fault_every=$n: loaded, vmnet1 not guarded: $(paste -sd' ' /proc/net/hoguard)"
		fi
		rmmod hoguard
		[ "$LOAD_FAULTS" != 0 ] || break
		absorbed=$((absorbed + 1))
	done
	echo "# load: $((n - 1)) allocations, each failed once: $refused loads refused (ENOMEM), $absorbed loaded"
	check_eq "load: every allocation failed in turn, each load refused with ENOMEM and left nothing, or loaded and guarding" \
		"$bad" 0
	check_cmd "load: a load with fault_every=$n made fewer allocations and guards (the sweep ended)" \
		test "$LOAD_FAULTS" = 0 -a "$n" -le 200
}

# write_or_enomem DESC NAME VALUE: the write succeeds (and reads back as
# WANT, the 4th argument) or fails with ENOMEM and changes nothing.
write_or_enomem() {
	local before after
	before=$(pget "$2")
	if pset "$2" "$3"; then
		after=$(pget "$2")
		check_eq "$1: applied" "$after" "$4"
		WRITES_OK=$((WRITES_OK + 1))
	else
		after=$(pget "$2")
		if [[ $PSET_ERR == *"Cannot allocate memory"* ]] && [ "$after" = "$before" ]; then
			ok "$1: refused (ENOMEM), unchanged"
			WRITES_REFUSED=$((WRITES_REFUSED + 1))
		else
			fail "$1" "error '$PSET_ERR', '$before' -> '$after'"
		fi
	fi
}

# dropped DESC RXNS RXC N CMD...: CMD sends N packets that must not arrive
# (RXC of RXNS, see rx) and must each be counted once, by whichever hook
# (a closed namespace judges strictly: which rule drops is not the point).
dropped() {
	local desc=$1 ns=$2 c=$3 n=$4 r0 c0 f0 i0 p0 f1 i1 p1 try got
	shift 4
	rx "$ns" "$c"
	r0=$RXV
	counters
	c0=$CNT
	"$@" >/dev/null 2>&1 || true
	for ((try = 0; try < 30; try++)); do
		nap 0.1
		rx "$ns" "$c"
		counters
		read -r f0 i0 p0 <<<"$c0"
		read -r f1 i1 p1 <<<"$CNT"
		got="rx=+$((RXV - r0)) drops=+$((f1 + i1 + p1 - f0 - i0 - p0))"
		[ "$got" != "rx=+0 drops=+$n" ] || break
	done
	check_eq "$desc" "$got" "rx=+0 drops=+$n"
}

# guarded_in NS DEV: DEV is host-only in NS, or NS fails closed. Reading
# /proc/net/hoguard allocates too: it may fail (ENOMEM), and is retried.
guarded_in() {
	local try view
	for ((try = 0; try < 20; try++)); do
		if view=$(inns "$1" cat /proc/net/hoguard 2>/dev/null); then
			awk -v d="$2" '
				($1 == "device" || $1 == "addressed") && $2 == d { ok = 1 }
				$1 == "state" && $2 == "closed" { ok = 1 }
				END { exit !ok }' <<<"$view"
			return
		fi
	done
	return 1
}

main() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	[ -f "$KO" ] || die "usage: $0 TEST_BUILD_KO"
	modprobe -q veth
	modprobe -q bridge
	modprobe -q dummy
	trap cleanup EXIT
	loaded && rmmod hoguard
	topo_names "" "$PFX"
	topo_del
	topo_build "" "$PFX"
	probe_add "$LAN"
	modinfo -p "$KO" | grep -q '^fault_every:' || die "$KO is not a test build (no fault_every)"
	# 6 checks a round, 14 after them, 3 of the load
	plan $((ROUNDS * 6 + 14 + 3))
	echo "# the load, each allocation failed in turn"
	sweep_load
	load 'hostonly=vmnet1,vboxnet*'
	ip netns add hf-mv
	echo "# faults: every 7th allocation of hoguard fails"
	local r name v
	WRITES_OK=0 WRITES_REFUSED=0
	must_set fault_every 7
	for ((r = 1; r <= ROUNDS; r++)); do
		# a device made, renamed, moved into a namespace, given addresses
		name=vboxnet$((10 + r))
		ip link add "$name" type dummy
		ip link set "$name" name "vboxnet$((40 + r))"
		ip addr add "192.0.2.$((70 + r))/26" dev "vboxnet$((40 + r))"
		ip link set "vboxnet$((40 + r))" netns hf-mv
		if guarded_in hf-mv "vboxnet$((40 + r))"; then
			ok "round $r: a host-only device moved into a namespace is guarded there (or it is closed)"
		else
			fail "round $r: a host-only device moved into a namespace is guarded there (or it is closed)" \
				"$(inns hf-mv cat /proc/net/hoguard 2>&1 | paste -sd' ')"
		fi
		ip -n hf-mv addr add "2001:db8:9::$r/64" dev "vboxnet$((40 + r))" nodad
		# the configuration written both ways
		if [ $((r % 2)) = 1 ]; then v='vmnet1,vboxnet*,virbr9'; else v='vmnet1,vboxnet*'; fi
		write_or_enomem "round $r: hostonly $v" hostonly "$v" "$v"
		if [ $((r % 2)) = 1 ]; then v=203.0.113.128/25; else v=; fi
		write_or_enomem "round $r: subnets '$v'" subnets "$v" "$v"
		# the guests meanwhile: nothing leaves, each drop counted
		dropped "round $r: g1 -> lan UDPv4: none arrives, 3 drops counted" "$LAN" u4 3 udp_ "$G1" "$LAN_4" 3
		dropped "round $r: g3 (vboxnet0) -> lan UDPv6: none arrives, 3 drops counted" "$LAN" u6 3 udp_ "$G3" "$LAN_6" 3
		dropped "round $r: lan -> g2 UDPv4: none arrives, 3 drops counted" "$G2" u4 3 udp_ "$LAN" "$G2_4" 3
	done
	check_cmd "allocations were made to fail: faults > 0" test "$(pget faults)" -gt 0
	echo "# $(pget faults) allocations failed; $WRITES_OK writes applied, $WRITES_REFUSED refused"
	check_cmd "some writes were refused with ENOMEM" test "$WRITES_REFUSED" -gt 0
	rx "$LAN" p4
	check_eq "nothing from vmnet1's IPv4 prefix reached lan" "$RXV" 0
	rx "$LAN" p6
	check_eq "nothing from vmnet1's IPv6 prefix reached lan" "$RXV" 0

	echo "# faults stop: everything comes back"
	must_set fault_every 0
	must_set hostonly 'vmnet1,vboxnet*'
	must_set subnets ''
	sleep 1.5	# the retries run every half second
	check_eq "no namespace left closed (host)" "$(grep -c '^state closed' /proc/net/hoguard || true)" 0
	check_eq "no namespace left closed (hf-mv)" \
		"$(inns hf-mv grep -c '^state closed' /proc/net/hoguard || true)" 0
	check_eq "every device moved into hf-mv guarded there" \
		"$(inns hf-mv awk '$1 == "device" { n++ } END { print n + 0 }' /proc/net/hoguard)" "$ROUNDS"
	check_eq "the host's own: vmnet1 and vboxnet0" \
		"$(awk '$1 == "device" { print $2 }' /proc/net/hoguard | sort | paste -sd,)" vboxnet0,vmnet1
	check_eq "what hf-mv learned" \
		"$(inns hf-mv awk '$1 == "learned" { print $2 }' /proc/net/hoguard | paste -sd,)" \
		2001:db8:9::/64
	xcheck "after: host -> g1 ICMPv4 passes" 0 "$G1" e4 2 0 0 0 ping_ "" "$G1_4" 2
	xcheck "after: g1 -> host UDPv6 passes" - "" u6 3 0 0 0 udp_ "$G1" "$H1_6" 3
	xcheck "after: g1 -> lan UDPv4 dropped, drops_forward +3" - "$LAN" u4 0 3 0 0 udp_ "$G1" "$LAN_4" 3
	xcheck "after: host from $H1_4 -> lan dropped, drops_postrouting +2" - "$LAN" u4 0 0 0 2 udp_ "" "$LAN_4" 2 "$H1_4"
	unload
	check_cmd "rmmod" sh -c '! test -d /sys/module/hoguard'
	trap - ERR
	summary
	[ "$T_FAIL" -eq 0 ]
}

main
