#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Forwarding benchmark, run inside the VM by scripts/bench:
#
#   VMRUN_SMP=1 VMRUN_QEMU_ARGS="-icount shift=0" \
#       scripts/vmrun SERIES tests/bench/fwd.sh HOGUARD_KO NULLHOOK_KO
#
# Under qemu's instruction counting guest time advances 1 ns per guest
# instruction, so pktgen's elapsed nanoseconds divided by the packets it
# injected is the number of guest instructions spent per forwarded packet.
#
# Topology (documentation addresses only):
#   pktgen --(xmit_mode netif_receive)--> vmnet1 [host: the VM's init netns]
#       192.0.2.1/24  2001:db8:1::1/64      forwards to
#   eth-out 198.51.100.1/24 2001:db8:2::1/64 --veth--> eth0 [netns outside]
# Packets go 192.0.2.2 -> 198.51.100.2 (UDP, 60 bytes) or 2001:db8:1::2 ->
# 2001:db8:2::2 (UDP, 78 bytes: the smallest IPv6 frame pktgen builds).  The host's
# neighbour entries for the outside address are static, with a MAC that is
# not eth0's, so the outside counts each packet on eth0 and drops it at once
# (PACKET_OTHERHOST): no replies, nothing else runs per packet.
# Dummy devices vmnet8 (203.0.113.1/24, 2001:db8:3::1/64), vmnet10..vmnet40
# and vbox0-0..vbox31-0 are what hoguard and the rulesets guard; the traffic
# must pass (it neither comes from nor goes to a guarded device or prefix).
#
# The adversarial conditions (adv-*, issue 14) load hoguard with one
# family's table at a time (tests/bench/adv.awk: N prefixes next to the sent
# addresses and over every length) through finit_module(2), one build, and
# send three streams per table (addresses in documentation ranges):
#   :near   192.0.2.130 -> 198.51.100.130, 2001:db8:1::82 -> 2001:db8:2::82,
#           each one address (or one bit above the table's longest length)
#           away from a guarded prefix, so they must pass; the worst case
#   :inlong source inside the longest guarded prefix next to it (dropped)
#   :inshort source inside a prefix of the table's shortest length (dropped;
#           not for IPv6 over /16../128, see adv.awk)
# For the dropped ones pktgen's instructions per packet are those of a
# packet dropped at FORWARD; they are checked against hoguard's
# drops_forward counter and the outside's receive counter (0).
# none-adv: no hook, the :near stream (the baseline of :near).
#
# Output: progress on stderr's copy (lines starting with '#'), one line per
# measurement on stdout:
#   BENCH COND FAMILY RUN INSTR_PER_PKT SENT FORWARDED OUTSIDE_RX [DROPPED]
#   WIN COND FAMILY RUN ctxt:N intr:N HI:N ... sn_squeeze:N (what else ran in
#       that measurement: context switches, interrupts, softirqs by kind,
#       the softnet counters)
# and control-path lines starting with CTL; then a table (table.awk).
#
# Environment (passed through vmrun):
#   HOGUARD_BENCH_RUNS (3)      runs per condition, conditions alternate
#   HOGUARD_BENCH_PKTS (20000)  packets per run and family
#   HOGUARD_BENCH_CONDS         conditions to run (default: all, see CONDS)
#   HOGUARD_BENCH_FAMS (4 6)    traffic families
#   HOGUARD_BENCH_CTL (1)       run the control-path test (replace configs);
#                               "stage": only its staged part
#   HOGUARD_BENCH_PROBES (1)    run the leak probes on each condition
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
HOGUARD_KO=${1:?usage: fwd.sh HOGUARD_KO NULLHOOK_KO}
NULLHOOK_KO=${2:?usage: fwd.sh HOGUARD_KO NULLHOOK_KO}
RUNS=${HOGUARD_BENCH_RUNS:-3}
PKTS=${HOGUARD_BENCH_PKTS:-20000}
FAMS=${HOGUARD_BENCH_FAMS:-4 6}
CTL=${HOGUARD_BENCH_CTL:-1}
PROBES=${HOGUARD_BENCH_PROBES:-1}
CONDS=(none none-1kdev none-adv null-f null-fp
	hog-1 hog-16 hog-1k hog-16k hog-16k-near hog-64dev hog-1kdev
	nft-1 nft-16 nft-1k nft-16k nft-64dev
	nftbest-1 nftbest-16 nftbest-1k nftbest-16k nftbest-64dev
	iptnft-1 iptnft-1k iptleg-1 iptleg-1k
	adv-1 adv-all-1k adv-all-16k adv-all-64k
	adv-16-1k adv-16-16k adv-16-64k)
if [ -n "${HOGUARD_BENCH_CONDS:-}" ]; then
	read -r -a CONDS <<<"$HOGUARD_BENCH_CONDS"
fi

PG=/proc/net/pktgen
PARAMS=/sys/module/hoguard/parameters
W=/tmp/bench
OUT_MAC=02:00:00:00:00:99	# the static neighbour: not eth0's MAC
mkdir -p "$W"

log() { echo "# $*" >&2; }
die() { echo "fwd.sh: $*" >&2; exit 1; }
ns() { ip netns exec outside "$@"; }

# ---------------------------------------------------------------------------
# Prefix sets.  The configured-but-unused bench prefixes lie in reserved
# space no packet is sent to: IPv4 240.0.0.0/4, IPv6 2001:db8:8000::/33.
# gen4 N OFF: N IPv4 prefixes, N/16 of each length /16../31 (nested in
# none), packed from 240.0.0.0 (OFF=0) or 248.0.0.0 (OFF=1).
# gen6 N OFF: the same with lengths /49../64 from 2001:db8:8000:: (OFF=0)
# or 2001:db8:a000:: (OFF=1).
gen4() {
	awk -v n="$1" -v off="$2" 'BEGIN {
		k = n / 16; cur = (240 + 8 * off) * 2^24
		for (l = 16; l < 32; l++)
			for (j = 0; j < k; j++) {
				printf "%d.%d.%d.%d/%d\n", int(cur / 2^24),
					int(cur / 2^16) % 256, int(cur / 2^8) % 256,
					cur % 256, l
				cur += 2^(32 - l)
			}
	}'
}

gen6() {
	awk -v n="$1" -v off="$2" 'BEGIN {
		k = n / 16; cur = (2^31) + off * 2^29
		for (l = 49; l < 65; l++)
			for (j = 0; j < k; j++) {
				printf "2001:db8:%x:%x::/%d\n", int(cur / 2^16),
					cur % 2^16, l
				cur += 2^(64 - l)
			}
	}'
}

# Join lines into comma-separated chunks that fit one sysfs write.
chunks() {
	awk 'BEGIN { s = "" }
		{ if (length(s) + length($0) + 1 > 3800) { print s; s = "" }
		  s = s == "" ? $0 : s "," $0 }
		END { if (s != "") print s }'
}

# Write a chunk file to hoguard's subnets with PREFIX before each chunk.
hog_write() {
	local prefix=$1 file=$2 c
	while IFS= read -r c; do
		printf '%s%s\n' "$prefix" "$c" >"$PARAMS/subnets" ||
			die "subnets write failed (${#c} bytes)"
	done <"$file"
}

gen_sets() {
	local n
	for n in 16 1024 16384; do
		gen4 "$n" 0 >"$W/p4-$n"
		gen6 "$n" 0 >"$W/p6-$n"
		cat "$W/p4-$n" "$W/p6-$n" | chunks >"$W/c-$n"
	done
	echo 203.0.113.0/24 >"$W/p4-1"
	echo 2001:db8:3::/64 >"$W/p6-1"
	cat "$W/p4-1" "$W/p6-1" | chunks >"$W/c-1"
	# Near miss: a guarded prefix in the destination's /16 (IPv4) and
	# /49 (IPv6), the keys of hoguard's bloom filter, that does not
	# contain the destination.
	{ cat "$W/p4-16384" "$W/p6-16384"; echo 198.51.100.128/25; echo 2001:db8:2:1::/64; } |
		chunks >"$W/c-near"
}

# adv_args FAMILY MODE N: the file of hoguard's load arguments for that
# adversarial table (made when first needed: awk is slow in the VM).
adv_args() {
	ADV=$W/adv$1-$2-$3
	[ ! -s "$ADV" ] || return 0
	if [ "$3" = 1 ]; then
		# the two prefixes next to the sent addresses
		awk -v fam="$1" -v n=2 -v mode=all -f "$HERE/adv.awk" | head -n 2
	else
		awk -v fam="$1" -v n="$3" -v mode="$2" -f "$HERE/adv.awk"
	fi | paste -sd, | sed 's/^/hostonly=vmnet8 subnets=/' | tr -d '\n' >"$ADV"
}

# ---------------------------------------------------------------------------
# Topology.

setup_topology() {
	local i
	sysctl -qw net.ipv4.ip_forward=1
	sysctl -qw net.ipv6.conf.all.forwarding=1
	sysctl -qw net.ipv6.conf.default.accept_dad=0
	sysctl -qw net.ipv6.conf.default.accept_ra=0
	sysctl -qw net.ipv6.conf.default.router_solicitations=0
	modprobe veth
	modprobe dummy numdummies=0
	ip netns add outside
	ip netns add guest
	ip link add vmnet1 type veth peer name eth0 netns guest
	ip link add eth-out type veth peer name eth0 netns outside
	ip addr add 192.0.2.1/24 dev vmnet1
	ip addr add 2001:db8:1::1/64 dev vmnet1 nodad
	ip addr add 198.51.100.1/24 dev eth-out
	ip addr add 2001:db8:2::1/64 dev eth-out nodad
	ip link set vmnet1 up
	ip link set eth-out up
	ip netns exec guest ip link set eth0 up
	ns ip addr add 198.51.100.2/24 dev eth0
	ns ip addr add 2001:db8:2::2/64 dev eth0 nodad
	ns ip link set eth0 up
	# (not holding main's stdout: tee would wait for it)
	ip netns exec outside sleep infinity </dev/null >/dev/null 2>&1 &
	OUTSIDE_PID=$!
	ip neigh replace 198.51.100.2 lladdr "$OUT_MAC" dev eth-out nud permanent
	ip neigh replace 2001:db8:2::2 lladdr "$OUT_MAC" dev eth-out nud permanent
	ip neigh replace 198.51.100.130 lladdr "$OUT_MAC" dev eth-out nud permanent
	ip neigh replace 2001:db8:2::82 lladdr "$OUT_MAC" dev eth-out nud permanent
	# What hoguard and the rulesets guard: devices the traffic never uses.
	{
		echo "link add vmnet8 type dummy"
		for i in $(seq 10 40); do echo "link add vmnet$i type dummy"; done
		for i in $(seq 0 31); do echo "link add vbox$i-0 type dummy"; done
	} | ip -batch -
	ip addr add 203.0.113.1/24 dev vmnet8
	ip addr add 2001:db8:3::1/64 dev vmnet8 nodad
	ip link set vmnet8 up
	modprobe pktgen
	[ -e "$PG/kpktgend_0" ] || die "no pktgen thread"
	VMNET1_MAC=$(cat /sys/class/net/vmnet1/address)
}

# The 64 device patterns of the hog-64dev and nft-64dev conditions.
pats64() {
	local i
	for i in 8 $(seq 10 40); do printf 'vmnet%s\n' "$i"; done
	for i in $(seq 0 31); do printf 'vbox%s-*\n' "$i"; done
}

# devs1k add|del: the 1,000 dummy devices vmh0..vmh999 of hog-1kdev, which
# its pattern vmh* matches (without addresses: nothing to learn), and of
# none-1kdev: what they cost the kernel's own path, without hoguard.
devs1k() {
	local i
	for i in $(seq 0 999); do
		if [ "$1" = add ]; then echo "link add vmh$i type dummy"; else echo "link del vmh$i"; fi
	done | ip -batch - || die "devs1k $1 failed"
}

# ---------------------------------------------------------------------------
# Conditions: setup_COND / teardown_COND.

hog_load() {
	insmod "$KO" "hostonly=$1"
	[ -z "${2:-}" ] || hog_write + "$2"
}

hog_unload() { rmmod hoguard; }

# hog_load_args ARGS_FILE: insmod with arguments longer than a command line
# may hold (finit_module(2), x86-64's number, takes them from memory): one
# parse, one build.  LOAD_NS: the loading thread's CPU time in guest ns
# (= instructions under -icount): the module's load, the parse and the build.
hog_load_args() {
	[ -s "$W/load.py" ] || cat >"$W/load.py" <<-'EOF'
		import ctypes, os, sys, time
		libc = ctypes.CDLL(None, use_errno=True)
		fd = os.open(sys.argv[1], os.O_RDONLY)
		args = open(sys.argv[2], "rb").read()
		t0 = time.thread_time_ns()
		if libc.syscall(313, fd, ctypes.c_char_p(args), 0) != 0:
		    sys.exit(os.strerror(ctypes.get_errno()))
		print(time.thread_time_ns() - t0)
	EOF
	LOAD_NS=$(python3 "$W/load.py" "$KO" "$1") ||
		die "finit_module of $KO with $1 failed"
}

nft_load() {
	local devs=$1 same=$2 p4=$3 p6=$4
	{
		echo "table inet hoguard {"
		echo "	set hodev { type ifname; flags interval; elements = { $devs } }"
		echo "	set hosame { type ifname . ifname; elements = { $same } }"
		echo "	set ho4 { type ipv4_addr; flags interval;"
		[ -s "$p4" ] && echo "		elements = { $(paste -sd, "$p4") }"
		echo "	}"
		echo "	set ho6 { type ipv6_addr; flags interval;"
		[ -s "$p6" ] && echo "		elements = { $(paste -sd, "$p6") }"
		echo "	}"
		cat <<-'EOF'
			chain forward {
				type filter hook forward priority raw; policy accept;
				iifname . oifname @hosame accept
				iifname @hodev drop
				ip saddr @ho4 drop
				ip6 saddr @ho6 drop
				oifname @hodev drop
				ip daddr @ho4 drop
				ip6 daddr @ho6 drop
			}
			chain postrouting {
				type filter hook postrouting priority raw; policy accept;
				oifname @hodev accept
				oif lo accept
				ip saddr @ho4 drop
				ip6 saddr @ho6 drop
			}
		}
		EOF
	} >"$W/ruleset.nft"
	nft -f "$W/ruleset.nft"
}

# ipt iptables|ip6tables VARIANT(nft|legacy) SET: hoguard's four rules.
ipt_rules() {
	local ipt="$1-$2" set=$3
	$ipt -A FORWARD -i vmnet8 -o vmnet8 -j ACCEPT
	$ipt -A FORWARD -i vmnet8 -j DROP
	$ipt -A FORWARD -m set --match-set "$set" src -j DROP
	$ipt -A FORWARD -o vmnet8 -j DROP
	$ipt -A FORWARD -m set --match-set "$set" dst -j DROP
	$ipt -t mangle -A POSTROUTING -o vmnet8 -j ACCEPT
	$ipt -t mangle -A POSTROUTING -o lo -j ACCEPT
	$ipt -t mangle -A POSTROUTING -m set --match-set "$set" src -j DROP
}

ipt_load() {
	local variant=$1 n=$2
	{
		echo "create ho4 hash:net family inet maxelem 65536"
		echo "create ho6 hash:net family inet6 maxelem 65536"
		if [ "$n" = 1 ]; then
			echo "add ho4 203.0.113.0/24"
			echo "add ho6 2001:db8:3::/64"
		else
			sed 's/^/add ho4 /' "$W/p4-$n"
			sed 's/^/add ho6 /' "$W/p6-$n"
		fi
	} | ipset restore
	ipt_rules iptables "$variant" ho4
	ipt_rules ip6tables "$variant" ho6
}

ipt_unload() {
	local variant=$1 t
	if [ "$variant" = nft ]; then
		nft flush ruleset
	else
		for t in iptables ip6tables; do
			"$t-legacy" -F
			"$t-legacy" -t mangle -F
		done
		rmmod iptable_filter iptable_mangle ip6table_filter ip6table_mangle
	fi
	ipset destroy
}

# The best ruleset an nftables expert would write for hoguard's rules
# (README, "What is dropped"), as opposed to nft_load's typical one: one
# table per family (no family tests), plain comparisons for one device and
# one prefix, sets only for more, `flags interval` only where a pattern or
# prefixes of several lengths need it, and a `jump` only for what can be
# dropped: a packet that must pass costs two device tests (four with
# wildcards: exact names, then the wildcards behind a comparison with what
# they all begin with) and two address tests at FORWARD, one address test
# at POST_ROUTING.  Its prefixes are
# what hoguard guards: the listed ones plus vmnet8's, which hoguard learns.
#   nftbest_load DEVS P4 P6   DEVS: 1 (vmnet8) or 64 (pats64)
nftbest_load() {
	local devs=$1 f kw t file pfx same iif oif lcp
	if [ "$devs" = 1 ]; then
		iif=('iifname "vmnet8"')
		oif=('oifname "vmnet8"')
		same='oifname "vmnet8"'
	else
		# the wildcards' common beginning first: one comparison, not
		# an interval lookup, for the devices none of them can match
		lcp=$(pats64 | sed -n 's/\*$//p' | awk 'NR == 1 { p = $0 }
			{ while (index($0, p) != 1) p = substr(p, 1, length(p) - 1) }
			END { print p }')
		iif=('iifname @honame' "iifname \"$lcp*\" iifname @howild")
		oif=('oifname @honame' "oifname \"$lcp*\" oifname @howild")
		same='iifname . oifname @hosame'
	fi
	for f in 4 6; do
		if [ $f = 4 ]; then kw=ip t=ipv4_addr file=$2; else kw=ip6 t=ipv6_addr file=$3; fi
		echo "table $kw hogbest {"
		if [ "$devs" != 1 ]; then
			echo "	set honame { type ifname; elements = { $(pats64 | grep -v '\*' | sed 's/.*/"&"/' | paste -sd,) } }"
			echo "	set howild { type ifname; flags interval; elements = { $(pats64 | grep '\*' | sed 's/.*/"&"/' | paste -sd,) } }"
			# in == out can only be listed for the devices there are now
			echo "	set hosame { type ifname . ifname; elements = { $(ip -o link | awk -F': ' '$2 ~ /^(vmnet([0-9]+)|vbox[0-9]+-0)$/ && $2 != "vmnet1" { printf "%s\"%s\" . \"%s\"", n++ ? ", " : "", $2, $2 }') } }"
		fi
		if [ "$(wc -l <"$file")" = 1 ]; then
			pfx=$(cat "$file")
		else
			pfx=@ho
			echo "	set ho { type $t; flags interval; elements = { $(paste -sd, "$file") } }"
		fi
		cat <<-EOF
			chain forward {
				type filter hook forward priority raw; policy accept;
				$(printf '%s jump from_ho\n' "${iif[@]}")
				$(printf '%s drop\n' "${oif[@]}")
				$kw saddr $pfx drop
				$kw daddr $pfx drop
			}
			chain from_ho {
				$same accept
				drop
			}
			chain postrouting {
				type filter hook postrouting priority raw; policy accept;
				$kw saddr $pfx jump post_ho
			}
			chain post_ho {
				$(printf '%s accept\n' "${oif[@]}")
				oif lo accept
				drop
			}
		}
		EOF
	done >"$W/best.nft"
	nft -f "$W/best.nft"
}

# COND@NAME: COND with the hoguard.ko that HOGUARD_BENCH_VARIANTS
# ("NAME=PATH ...") names, to compare experimental builds.
variant_ko() {
	local v
	KO=$HOGUARD_KO
	case $1 in *@*) ;; *) return 0 ;; esac
	for v in ${HOGUARD_BENCH_VARIANTS:-}; do
		[ "${v%%=*}" = "${1#*@}" ] && KO=${v#*=} && return 0
	done
	die "no variant ${1#*@} in HOGUARD_BENCH_VARIANTS"
}

cond_setup() {
	local devs
	variant_ko "$1"
	case ${1%@*} in
	none) ;;
	none-1kdev) devs1k add ;;
	null-f) insmod "$NULLHOOK_KO" ;;
	null-fp) insmod "$NULLHOOK_KO" postrouting=1 ;;
	hog-1) hog_load vmnet8 "$W/c-1" ;;
	hog-16) hog_load vmnet8 "$W/c-16" ;;
	hog-1k) hog_load vmnet8 "$W/c-1024" ;;
	hog-16k) hog_load vmnet8 "$W/c-16384" ;;
	hog-16k-near) hog_load vmnet8 "$W/c-near" ;;
	hog-64dev) hog_load "$(pats64 | paste -sd,)" "$W/c-1" ;;
	hog-1kdev)
		devs1k add
		hog_load 'vmnet8,vmh*' "$W/c-1"
		[ "$(grep -c '^device vmh' /proc/net/hoguard)" = 1000 ] ||
			die "hog-1kdev: hoguard does not list 1,000 vmh devices"
		;;
	nft-1) nft_load '"vmnet8"' '"vmnet8" . "vmnet8"' "$W/p4-1" "$W/p6-1" ;;
	nft-16 | nft-1k | nft-16k)
		local n=${1#nft-}
		n=${n/16k/16384}
		n=${n/1k/1024}
		nft_load '"vmnet8"' '"vmnet8" . "vmnet8"' "$W/p4-$n" "$W/p6-$n" ;;
	nft-64dev)
		devs=$(pats64 | sed 's/.*/"&"/' | paste -sd,)
		# in == out can only be listed for the devices there are now
		nft_load "$devs" "$(ip -o link | awk -F': ' '$2 ~ /^(vmnet([0-9]+)|vbox[0-9]+-0)$/ && $2 != "vmnet1" { printf "%s\"%s\" . \"%s\"", n++ ? ", " : "", $2, $2 }')" \
			"$W/p4-1" "$W/p6-1" ;;
	nftbest-1) nftbest_load 1 "$W/p4-1" "$W/p6-1" ;;
	nftbest-16 | nftbest-1k | nftbest-16k)
		local n=${1#nftbest-}
		n=${n/16k/16384}
		n=${n/1k/1024}
		cat "$W/p4-1" "$W/p4-$n" >"$W/b4"
		cat "$W/p6-1" "$W/p6-$n" >"$W/b6"
		nftbest_load 1 "$W/b4" "$W/b6" ;;
	nftbest-64dev) nftbest_load 64 "$W/p4-1" "$W/p6-1" ;;
	iptnft-1) ipt_load nft 1 ;;
	iptnft-1k) ipt_load nft 1024 ;;
	iptleg-1) ipt_load legacy 1 ;;
	iptleg-1k) ipt_load legacy 1024 ;;
	*) die "unknown condition $1" ;;
	esac
}

cond_teardown() {
	case ${1%@*} in
	none) ;;
	none-1kdev) devs1k del ;;
	null-*) rmmod nullhook ;;
	hog-1kdev) hog_unload && devs1k del ;;
	hog-*) hog_unload ;;
	nft-* | nftbest-*) nft flush ruleset ;;
	iptnft-*) ipt_unload nft ;;
	iptleg-*) ipt_unload legacy ;;
	esac
}

# The hooks at FORWARD and POST_ROUTING, for the log.
hooks() {
	modprobe -q nfnetlink_hook 2>/dev/null	# nft list hooks needs it; not loaded on demand
	nft list hooks 2>/dev/null | awk '/family/ { f = $2 } /hook (forward|postrouting)/ { h = $2 }
		/^\t\t/ && h { printf "%s%s/%s:%s", n++ ? " " : "", f, h, $2 " " $3 } /^\t}/ { h = "" }'
	echo
}

# ---------------------------------------------------------------------------
# Measurement.

pgset() {
	echo "$1" >"$2" || die "pktgen: '$1' refused"
}

# pg_add NAME FAMILY COUNT: a pktgen device injecting on vmnet1.
pg_add() {
	local dev=$PG/$1 c
	pgset "add_device $1" "$PG/kpktgend_0"
	for c in "count $3" "pkt_size $([ "$2" = 4 ] && echo 60 || echo 78)" "delay 0" "clone_skb 0" \
		"xmit_mode netif_receive" "dst_mac $VMNET1_MAC" \
		"udp_src_min 9" "udp_src_max 9" "udp_dst_min 9" "udp_dst_max 9"; do
		pgset "$c" "$dev"
	done
	if [ "$2" = 4 ]; then
		pgset "dst ${DST4:-198.51.100.2}" "$dev"
		pgset "src_min ${SRC4:-192.0.2.2}" "$dev"
		pgset "src_max ${SRC4:-192.0.2.2}" "$dev"
	else
		pgset "dst6 ${DST6:-2001:db8:2::2}" "$dev"
		pgset "src6 ${SRC6:-2001:db8:1::2}" "$dev"
	fi
}

# adv_addrs VARIANT MODE: the addresses of an adversarial stream (fwd.sh's
# header); returns 1 when the variant has none for that mode.
adv_addrs() {
	DST4=198.51.100.130 DST6=2001:db8:2::82
	case $1 in
	near) SRC4=192.0.2.130 SRC6=2001:db8:1::82 ;;
	inlong)
		if [ "$2" = 16 ]; then SRC4=192.0.2.129 SRC6=2001:db8:1:1::82
		else SRC4=192.0.2.131 SRC6=2001:db8:1::83; fi ;;
	inshort)
		SRC4=203.0.113.130 SRC6=2001:db8:3::82
		[ "$2" = 16 ] || [ "$fam" = 4 ] || return 1 ;;
	esac
}

# Removal is asynchronous (the thread does it): wait until it is done.
pg_reset() {
	pgset rem_device_all "$PG/kpktgend_0"
	for _ in $(seq 1 300); do
		compgen -G "$PG/vmnet1*" >/dev/null || return 0
		sleep 0.1
	done
	die "pktgen: devices not removed"
}

# Counters, read with shell builtins (a fork+exec costs millions of guest
# instructions): forwarded datagrams of FAMILY, in FWD.
fwd_count() {
	local a b g rest
	FWD=
	if [ "$1" = 4 ]; then
		while read -r a b _ _ _ _ g rest; do
			if [[ $a == Ip: && $b == [0-9]* ]]; then FWD=$g; fi
		done </proc/net/snmp
	else
		while read -r a b rest; do
			if [ "$a" = Ip6OutForwDatagrams ]; then FWD=$b; fi
		done </proc/net/snmp6
	fi
}

# Packets received by the outside's eth0, in RX, read from the netns of a
# process that lives there.
out_rx() {
	local name pkts rest
	RX=
	while read -r name _ pkts rest; do
		if [ "$name" = eth0: ]; then RX=$pkts; fi
	done <"/proc/$OUTSIDE_PID/net/dev"
}

# win_snap: the counts of what else ran (context switches, interrupts,
# softirqs by kind, the softnet counters), into WIN; win_delta OLD NEW:
# their increase, for the WIN line of a measurement: work besides the
# packets' shows there.
win_snap() {
	WIN="$(awk '/^ctxt/ { c = $2 } /^intr/ { i = $2 }
		END { printf "ctxt: %d intr: %d", c, i }' /proc/stat) $(awk 'NR > 1 { s = 0; for (i = 2; i <= NF; i++) s += $i; printf "%s %d ", $1, s }' /proc/softirqs)"
	# softnet: packets processed, dropped, time squeezes (hex, per CPU)
	local a b c p=0 d=0 q=0
	while read -r a b c _; do
		p=$((p + 0x$a)) d=$((d + 0x$b)) q=$((q + 0x$c))
	done </proc/net/softnet_stat
	WIN+="sn_proc: $p sn_drop: $d sn_squeeze: $q "
}
win_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i < n; i += 2) printf "%s%d ", x[i], y[i + 1] - x[i + 1]
	}'
}

# measure_once COND FAMILY RUN COUNT: one pktgen run; its WIN and BENCH
# lines into M_WIN and M_BENCH, M_NETRX the NET_RX softirq runs, M_RX the
# packets the outside received.
measure_once() {
	local cond=$1 fam=$2 run=$3 count=$4 f0 r0 line res= d0= d1= drops=
	# Let what the setup queued (RCU callbacks, work items, lazy vfree
	# purges) run before, not during, the measurement: a short run
	# otherwise pays for it (seen: +460 instructions per packet after an
	# rmmod, 2,000 packets).
	[ "$run" != warm ] || sleep 0.5
	pg_reset
	pg_add vmnet1 "$fam" "$count"
	fwd_count "$fam"
	out_rx
	f0=$FWD r0=$RX
	# streams hoguard must drop: its count of drops at FORWARD
	case $cond in *:in*) read -r d0 <"$PARAMS/drops_forward" ;; esac
	win_snap
	local w0=$WIN
	pgset start "$PG/pgctrl"
	# 'start' can return before the thread has taken the job (seen once
	# in ~100 runs on 6.12): wait for the result.
	for _ in $(seq 1 600); do
		while read -r line; do
			case $line in Result:*) res=$line ;; esac
		done <"$PG/vmnet1"
		case $res in "Result: OK:"*) break ;; esac
		sleep 0.1
	done
	fwd_count "$fam"
	out_rx
	[ -z "$d0" ] || { read -r d1 <"$PARAMS/drops_forward"; drops=" $((d1 - d0))"; }
	[[ $res =~ ^Result:\ OK:\ ([0-9]+)\(.*usec,\ ([0-9]+)\  ]] ||
		die "pktgen: $res"
	# instructions per packet with one decimal, in integer arithmetic
	local ipp=$((BASH_REMATCH[1] * 10000 / BASH_REMATCH[2])) sent=${BASH_REMATCH[2]}
	win_snap
	M_WIN="WIN $cond IPv$fam $run $(win_delta "$w0" "$WIN")"
	M_NETRX=0
	[[ $M_WIN =~ \ NET_RX:([0-9]+) ]] && M_NETRX=${BASH_REMATCH[1]}
	M_RX=$((RX - r0))
	M_BENCH="BENCH $cond IPv$fam $run ${ipp:0:-1}.${ipp: -1} $sent $((FWD - f0)) $M_RX$drops"
}

# measure COND FAMILY RUN COUNT: one measurement, its WIN and BENCH lines.
# Normally each packet's delivery in the outside namespace runs the NET_RX
# softirq once (pktgen's local_bh_enable()). Some measurements,
# with or without hoguard, run it for about 4 packets in 5 and cost every
# packet about 300 instructions more (2026-12-03: none, the empty hooks
# and hoguard alike; tests/bench/RESULTS.md): such a measurement is not
# comparable with the others; it is printed as a '#' line and made again,
# up to 4 times.
measure() {
	local try
	for try in 1 2 3 4 5; do
		measure_once "$@"
		[ "$3" != warm ] || return 0
		# (arrivals, not the forwarding counter: on 6.12 that counts
		# what the FORWARD hook then drops too, on 6.1 not)
		if [ "$M_RX" = 0 ] || [ "$M_NETRX" -ge "$M_RX" ]; then break; fi
		echo "# disturbed (try $try): NET_RX ran $M_NETRX times for $M_RX packets delivered: ${M_BENCH#BENCH }"
	done
	echo "$M_WIN"
	echo "$M_BENCH"
}

# adv_cond COND RUN: an adversarial condition, one family's table at a time.
adv_cond() {
	local cond=$1 run=$2 n mode v t
	for fam in $FAMS; do
		t=$SECONDS
		if [ "$cond" = none-adv ]; then
			adv_addrs near all
			measure "$cond:near" "$fam" warm 1000
			measure "$cond:near" "$fam" "$run" "$PKTS"
			continue
		fi
		variant_ko "$cond"
		n=${cond##*-}
		n=${n/64k/65536}
		n=${n/16k/16384}
		n=${n/1k/1024}
		mode=all
		case $cond in adv-16-*) mode=16 ;; esac
		adv_args "$fam" "$mode" "$n"
		t=$SECONDS
		hog_load_args "$ADV"
		echo "LOAD $cond IPv$fam $run $LOAD_NS $(wc -c <"$ADV")"
		for v in near inlong inshort; do
			# adv-1 has no short prefix (its inshort stream would
			# measure the learned 203.0.113.0/24 instead)
			[ "$cond:$v" != adv-1:inshort ] || continue
			adv_addrs "$v" "$mode" || continue
			measure "$cond:$v" "$fam" warm 1000
			measure "$cond:$v" "$fam" "$run" "$PKTS"
		done
		hog_unload
	done
	unset SRC4 DST4 SRC6 DST6
}

# ---------------------------------------------------------------------------
# Leak probes: is a condition's ruleset right, not merely fast?  Per
# condition (set up as for its measurement) and family, packets that
# hoguard's rules (README, "What is dropped") drop or let pass, injected with
# pktgen on a device as if received there, or sent by the host:
#   fwd-dev   on vmnet8 (host-only), vmnet8's guest -> outside      dropped
#   fwd-src   on vmnet1, from vmnet8's (guarded) prefix -> outside dropped
#   in-dst    on eth-out, outside -> vmnet8's guest                 dropped
#   hairpin   on vmnet8, guest -> guest of the same network         passes
#   post-src  the host from its vmnet8 address -> outside (ping)    dropped
#   post-ok   the host from its eth-out address -> outside (ping)   passes
#   fwd-wild  on vbox5-0, -> outside: host-only by the wildcard vbox5-* of the
#             64-pattern conditions (dropped there), else passes
#   pass      on vmnet1, the measured traffic                        passes
# Arrivals are counted on the outside's eth0 and, for vmnet8, by a netdev
# egress counter of UDP to port 9 on it; "none" shows that each probe
# arrives without a guard.  One line each:
#   PROBE COND FAMILY NAME WANT GOT
PROBE_N=10

# probe_pg DEV FAMILY SRC DST: PROBE_N UDP packets injected on DEV.
probe_pg() {
	local dev=$PG/$1@q c res= line f busy
	pgset rem_device_all "$PG/kpktgend_0"
	for _ in $(seq 1 300); do
		busy=
		for f in "$PG"/*; do
			case ${f##*/} in kpktgend_* | pgctrl) ;; *) busy=1 ;; esac
		done
		[ -n "$busy" ] || break
		sleep 0.1
	done
	[ -z "$busy" ] || die "pktgen: devices not removed"
	pgset "add_device $1@q" "$PG/kpktgend_0"
	for c in "count $PROBE_N" "pkt_size $([ "$2" = 4 ] && echo 60 || echo 78)" "delay 0" \
		"clone_skb 0" "xmit_mode netif_receive" "dst_mac $(cat "/sys/class/net/$1/address")" \
		"udp_src_min 9" "udp_src_max 9" "udp_dst_min 9" "udp_dst_max 9"; do
		pgset "$c" "$dev"
	done
	if [ "$2" = 4 ]; then
		pgset "dst $4" "$dev"
		pgset "src_min $3" "$dev"
		pgset "src_max $3" "$dev"
	else
		pgset "dst6 $4" "$dev"
		pgset "src6 $3" "$dev"
	fi
	pgset start "$PG/pgctrl"
	for _ in $(seq 1 100); do
		while read -r line; do
			case $line in Result:*) res=$line ;; esac
		done <"$dev"
		case $res in "Result: OK:"*) return 0 ;; esac
		sleep 0.1
	done
	die "probe pktgen on $1: $res"
}

# probe_arrived WHERE: set GOT to the outside's (out) or vmnet8's (ho)
# count of probe packets.
probe_arrived() {
	if [ "$1" = out ]; then
		out_rx
		GOT=$RX
	else
		GOT=$(nft list counter netdev hgprobe "c$PF" | awk '$1 == "packets" { print $2 }')
	fi
}

# probe COND NAME WANT WHERE CMD...
probe() {
	local cond=$1 name=$2 want=$3 where=$4 g0
	shift 4
	probe_arrived "$where"
	g0=$GOT
	"$@" >/dev/null 2>&1 || true
	sleep 0.2
	probe_arrived "$where"
	echo "PROBE $cond IPv$PF $name $want $((GOT - g0))"
}

probe_cond() {
	local cond=$1 n=$PROBE_N g=0 p=0 o oa h ha wild=$PROBE_N
	case ${cond%@*} in none) g=$PROBE_N p=3 ;; esac
	case ${cond%@*} in *64dev) wild=0 ;; esac
	for PF in $FAMS; do
		if [ "$PF" = 4 ]; then
			o=198.51.100.2 oa=198.51.100.1 h=203.0.113. ha=203.0.113.1
		else
			o=2001:db8:2::2 oa=2001:db8:2::1 h=2001:db8:3:: ha=2001:db8:3::1
		fi
		probe "$cond" fwd-dev "$g" out probe_pg vmnet8 "$PF" "${h}2" "$o"
		probe "$cond" fwd-src "$g" out probe_pg vmnet1 "$PF" "${h}5" "$o"
		probe "$cond" in-dst "$g" ho probe_pg eth-out "$PF" "$o" "${h}2"
		probe "$cond" hairpin "$n" ho probe_pg vmnet8 "$PF" "${h}2" "${h}3"
		probe "$cond" post-src "$p" out ping "-$PF" -q -c 3 -i 0.01 -W 0.1 -I "$ha" "$o"
		probe "$cond" post-ok 3 out ping "-$PF" -q -c 3 -i 0.01 -W 0.1 -I "$oa" "$o"
		probe "$cond" fwd-wild "$wild" out probe_pg vbox5-0 "$PF" \
			"$([ "$PF" = 4 ] && echo 192.0.2.9 || echo 2001:db8:1::9)" "$o"
		probe "$cond" pass "$n" out probe_pg vmnet1 "$PF" \
			"$([ "$PF" = 4 ] && echo 192.0.2.2 || echo 2001:db8:1::2)" "$o"
	done
}

# After the measurements: the sysctls and devices they need would change
# what is measured.
probe_test() {
	local cond t
	log "leak probes"
	t=$SECONDS
	sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.vmnet1.rp_filter=0 net.ipv4.conf.vbox5-0.rp_filter=0 \
		net.ipv4.conf.all.send_redirects=0
	ip link set vbox5-0 up
	for cond in "${CONDS[@]}"; do
		# (the adversarial conditions are hoguard with other tables: its
		# probes are those of hog-*)
		case $cond in null-* | none-adv | adv-*) continue ;; esac
		cond_setup "$cond"
		# (after the setup: the nft conditions' teardown flushes it)
		nft -f - <<-'EOF'
			table netdev hgprobe {
				counter c4 { }
				counter c6 { }
				chain e {
					type filter hook egress device "vmnet8" priority 0; policy accept;
					ip daddr 203.0.113.0/24 udp dport 9 counter name "c4"
					ip6 daddr 2001:db8:3::/64 udp dport 9 counter name "c6"
				}
			}
		EOF
		probe_cond "$cond"
		nft delete table netdev hgprobe
		cond_teardown "$cond"
	done
	pgset rem_device_all "$PG/kpktgend_0"
	log "leak probes took $((SECONDS - t))s"
}

# ---------------------------------------------------------------------------
# Control path: replace a config of N prefixes (N/2 IPv4, N/2 IPv6) by
# another, disjoint one, timed (the writing shell's CPU time in guest ns =
# instructions, and the elapsed guest time, which includes idle waits), first
# without traffic, then under two streams: IPv4 traffic that must pass and
# IPv6 traffic from a prefix guarded by both configs (2001:db8:1:1::/64,
# written last) that must be dropped throughout; leaks are counted on the
# outside.
#  naive: write the first page as a replacement, the rest with '+';
#  safe:  '+' the whole new config, then '-' what is no longer wanted.

now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }

ctl_sets() {
	local n=$1 h=$(($1 / 2)) o
	for o in 0 1; do
		{ gen4 "$h" "$o"; gen6 "$h" "$o"; } >"$W/r$o-$n"
		{ cat "$W/r$o-$n"; echo 2001:db8:1:1::/64; } | chunks >"$W/full$o-$n"
		chunks <"$W/r$o-$n" >"$W/only$o-$n"
	done
}

# replace METHOD N FROM TO
replace() {
	local n=$2 from=$3 to=$4 first
	if [ "$1" = commit ]; then
		echo 1 >"$PARAMS/subnets_commit" || die "subnets_commit failed"
	elif [ "$1" = staged ]; then
		stage_write "$W/full$to-$n"
	elif [ "$1" = naive ]; then
		first=$(head -n1 "$W/full$to-$n")
		printf '%s\n' "$first" >"$PARAMS/subnets"
		tail -n +2 "$W/full$to-$n" >"$W/rest"
		hog_write + "$W/rest"
	else
		hog_write + "$W/full$to-$n"
		hog_write - "$W/only$from-$n"
	fi
}

# ctl_time N METHOD FROM TO: one timed replacement, one CTL time line.
ctl_time() {
	local t0 t1 c0 c1
	# on-CPU time of this shell, in which the writes run (ns =
	# instructions), and elapsed guest time
	read -r c0 _ <"/proc/$BASHPID/schedstat"
	t0=$(now_ns)
	replace "$2" "$1" "$3" "$4"
	t1=$(now_ns)
	read -r c1 _ <"/proc/$BASHPID/schedstat"
	echo "CTL time $1 $2 $(((t1 - t0) / 1000)) $(((c1 - c0) / 1000))"
}

# ctl_traffic N METHOD FROM TO: one replacement under traffic, one CTL
# traffic line.
ctl_traffic() {
	local n=$1 m=$2 from=$3 to=$4 f40 f60 d0 f41 f61 d1 r0 r1 sp sg pgpid
	pg_reset
	pg_add vmnet1@p 4 0
	pg_add vmnet1@g 6 0
	pgset "src6 2001:db8:1:1::2" "$PG/vmnet1@g"
	# With no delay pktgen's thread serves only the device it
	# added last; a pace makes the two streams alternate.
	pgset "delay 20000" "$PG/vmnet1@p"
	pgset "delay 20000" "$PG/vmnet1@g"
	fwd_count 4
	f40=$FWD
	fwd_count 6
	f60=$FWD
	d0=$(cat "$PARAMS/drops_forward")
	out_rx
	r0=$RX
	pgset start "$PG/pgctrl" &
	pgpid=$!
	sleep 0.2
	replace "$m" "$n" "$from" "$to"
	sleep 0.2
	pgset stop "$PG/pgctrl"
	wait "$pgpid"
	fwd_count 4
	f41=$FWD
	fwd_count 6
	f61=$FWD
	d1=$(cat "$PARAMS/drops_forward")
	out_rx
	r1=$RX
	sp=$(sed -n 's/.*sofar: \([0-9]*\).*/\1/p' "$PG/vmnet1@p")
	sg=$(sed -n 's/.*sofar: \([0-9]*\).*/\1/p' "$PG/vmnet1@g")
	# Leaked: what reached the outside beyond the IPv4 stream
	# (Ip6OutForwDatagrams also counts packets that FORWARD
	# hooks drop afterwards, on 6.12).
	echo "CTL traffic $n $m pass_sent=$sp pass_fwd=$((f41 - f40)) guarded_sent=$sg guarded_leaked=$((r1 - r0 - (f41 - f40))) drops_forward=$((d1 - d0)) ip6_fwd=$((f61 - f60))"
}

ctl_test() {
	local n m from to
	log "control path"
	for n in 1024 16384; do
		ctl_sets "$n"
		KO=$HOGUARD_KO
		hog_load vmnet8 "$W/full0-$n"
		from=0
		for m in naive safe naive safe; do
			to=$((1 - from))
			ctl_time "$n" "$m" "$from" "$to"
			from=$to
		done
		for m in naive safe; do
			to=$((1 - from))
			ctl_traffic "$n" "$m" "$from" "$to"
			from=$to
		done
		rmmod hoguard
	done
	pg_reset
}

# The staged replacement (subnets_stage, then subnets_commit; README):
# configs of N prefixes in all, 2001:db8:1:1::/64 included, up to the
# 65,536 limit.  Over 16,384 the IPv4 half is spread over /24../31
# (gen4's /16../31 would not fit in 240.0.0.0/5).
ctl_stage_sets() {
	local n=$1 h=$(($1 / 2)) o
	for o in 0 1; do
		if [ "$n" -gt 16384 ]; then
			awk -v n="$h" -v off="$o" 'BEGIN {
				k = n / 8; cur = (240 + 8 * off) * 2^24
				for (l = 24; l < 32; l++)
					for (j = 0; j < k; j++) {
						printf "%d.%d.%d.%d/%d\n", int(cur / 2^24),
							int(cur / 2^16) % 256, int(cur / 2^8) % 256,
							cur % 256, l
						cur += 2^(32 - l)
					}
			}' >"$W/r$o-$n"
		else
			gen4 "$h" "$o" >"$W/r$o-$n"
		fi
		gen6 "$h" "$o" | tail -n +2 >>"$W/r$o-$n"
		{ cat "$W/r$o-$n"; echo 2001:db8:1:1::/64; } | chunks >"$W/full$o-$n"
		chunks <"$W/r$o-$n" >"$W/only$o-$n"
	done
}

# stage_write FILE [nocommit]: FILE's chunks to subnets_stage (a
# replacement, then '+'), and the commit.
stage_write() {
	local c op=
	while IFS= read -r c; do
		printf '%s%s\n' "$op" "$c" >"$PARAMS/subnets_stage" ||
			die "subnets_stage write failed (${#c} bytes)"
		op=+
	done <"$1"
	[ -n "${2:-}" ] || echo 1 >"$PARAMS/subnets_commit" || die "subnets_commit failed"
}

ctl_stage_test() {
	local n from to i
	log "control path: staged"
	for n in 16384 65536; do
		ctl_stage_sets "$n"
		KO=$HOGUARD_KO
		insmod "$KO" hostonly=vmnet8
		stage_write "$W/full0-$n"
		from=0
		for i in 1 2; do
			to=$((1 - from))
			ctl_time "$n" staged "$from" "$to"
			from=$to
		done
		to=$((1 - from))
		ctl_traffic "$n" staged "$from" "$to"
		# the commit alone: the table built and published once
		to=$((1 - to))
		stage_write "$W/full$to-$n" nocommit
		ctl_time "$n" commit "" ""
		rmmod hoguard
	done
	pg_reset
}

# ---------------------------------------------------------------------------

main() {
log "kernel $(uname -r), $(date -u +%Y-%m-%d), runs=$RUNS pkts=$PKTS families=$FAMS"
log "bench prefixes (configured, never sent to): IPv4 in 240.0.0.0/4 (/16../31), IPv6 in 2001:db8:8000::/33 (/49../64)"
log "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
log "mitigations: $(cd /sys/devices/system/cpu/vulnerabilities && grep -H . spectre_v2 retbleed spec_rstack_overflow 2>/dev/null | paste -sd';')"
setup_topology
gen_sets
echo "KERNEL $(uname -r) $(date -u +%Y-%m-%d)"

start=$SECONDS
for run in $(seq 1 "$RUNS"); do
	for cond in "${CONDS[@]}"; do
		t=$SECONDS
		case $cond in none-adv | adv-*)
			adv_cond "$cond" "$run"
			log "run $run $cond: total $((SECONDS - t))s"
			continue ;;
		esac
		cond_setup "$cond"
		setup_s=$((SECONDS - t))
		[ "$run" != 1 ] || log "$cond hooks: $(hooks)"
		for fam in $FAMS; do
			measure "$cond" "$fam" warm 1000
			measure "$cond" "$fam" "$run" "$PKTS"
		done
		cond_teardown "$cond"
		log "run $run $cond: setup ${setup_s}s, total $((SECONDS - t))s"
	done
done
pg_reset
log "measurements took $((SECONDS - start))s"

[ "$PROBES" = 0 ] || probe_test
[ "$CTL" != 1 ] || ctl_test
[ "$CTL" = 0 ] || ctl_stage_test
kill "$OUTSIDE_PID"
}

set -o pipefail
main | tee "$W/out"
awk -f "$HERE/table.awk" "$W/out"
