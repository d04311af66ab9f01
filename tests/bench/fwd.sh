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
# Output: progress on stderr's copy (lines starting with '#'), one line per
# measurement on stdout:
#   BENCH COND FAMILY RUN INSTR_PER_PKT SENT FORWARDED OUTSIDE_RX
# and control-path lines starting with CTL; then a table (table.awk).
#
# Environment (passed through vmrun):
#   HOGUARD_BENCH_RUNS (3)      runs per condition, conditions alternate
#   HOGUARD_BENCH_PKTS (20000)  packets per run and family
#   HOGUARD_BENCH_CONDS         conditions to run (default: all, see CONDS)
#   HOGUARD_BENCH_FAMS (4 6)    traffic families
#   HOGUARD_BENCH_CTL (1)       run the control-path test (replace configs)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
HOGUARD_KO=${1:?usage: fwd.sh HOGUARD_KO NULLHOOK_KO}
NULLHOOK_KO=${2:?usage: fwd.sh HOGUARD_KO NULLHOOK_KO}
RUNS=${HOGUARD_BENCH_RUNS:-3}
PKTS=${HOGUARD_BENCH_PKTS:-20000}
FAMS=${HOGUARD_BENCH_FAMS:-4 6}
CTL=${HOGUARD_BENCH_CTL:-1}
CONDS=(none null-f null-fp
	hog-1 hog-16 hog-1k hog-16k hog-16k-near hog-64dev
	nft-1 nft-16 nft-1k nft-16k nft-64dev
	iptnft-1 iptnft-1k iptleg-1 iptleg-1k)
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

# ---------------------------------------------------------------------------
# Conditions: setup_COND / teardown_COND.

hog_load() {
	insmod "$KO" "hostonly=$1"
	[ -z "${2:-}" ] || hog_write + "$2"
}

hog_unload() { rmmod hoguard; }

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
	null-f) insmod "$NULLHOOK_KO" ;;
	null-fp) insmod "$NULLHOOK_KO" postrouting=1 ;;
	hog-1) hog_load vmnet8 "$W/c-1" ;;
	hog-16) hog_load vmnet8 "$W/c-16" ;;
	hog-1k) hog_load vmnet8 "$W/c-1024" ;;
	hog-16k) hog_load vmnet8 "$W/c-16384" ;;
	hog-16k-near) hog_load vmnet8 "$W/c-near" ;;
	hog-64dev) hog_load "$(pats64 | paste -sd,)" "$W/c-1" ;;
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
	null-*) rmmod nullhook ;;
	hog-*) hog_unload ;;
	nft-*) nft flush ruleset ;;
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
		pgset "dst 198.51.100.2" "$dev"
		pgset "src_min 192.0.2.2" "$dev"
		pgset "src_max 192.0.2.2" "$dev"
	else
		pgset "dst6 2001:db8:2::2" "$dev"
		pgset "src6 2001:db8:1::2" "$dev"
	fi
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

# measure COND FAMILY RUN COUNT: one pktgen run, one BENCH line.
measure() {
	local cond=$1 fam=$2 run=$3 count=$4 f0 r0 line res=
	pg_reset
	pg_add vmnet1 "$fam" "$count"
	fwd_count "$fam"
	out_rx
	f0=$FWD r0=$RX
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
	[[ $res =~ ^Result:\ OK:\ ([0-9]+)\(.*usec,\ ([0-9]+)\  ]] ||
		die "pktgen: $res"
	[ "$run" = warm ] && return
	# instructions per packet with one decimal, in integer arithmetic
	local ipp=$((BASH_REMATCH[1] * 10000 / BASH_REMATCH[2]))
	echo "BENCH $cond IPv$fam $run ${ipp:0:-1}.${ipp: -1} ${BASH_REMATCH[2]} $((FWD - f0)) $((RX - r0))"
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
	if [ "$1" = naive ]; then
		first=$(head -n1 "$W/full$to-$n")
		printf '%s\n' "$first" >"$PARAMS/subnets"
		tail -n +2 "$W/full$to-$n" >"$W/rest"
		hog_write + "$W/rest"
	else
		hog_write + "$W/full$to-$n"
		hog_write - "$W/only$from-$n"
	fi
}

ctl_test() {
	local n t0 t1 c0 c1 m from to f40 f60 d0 f41 f61 d1 r0 r1 sp sg pgpid
	log "control path"
	for n in 1024 16384; do
		ctl_sets "$n"
		KO=$HOGUARD_KO
		hog_load vmnet8 "$W/full0-$n"
		from=0
		for m in naive safe naive safe; do
			to=$((1 - from))
			# on-CPU time of this shell, in which the writes run
			# (ns = instructions), and elapsed guest time
			read -r c0 _ <"/proc/$BASHPID/schedstat"
			t0=$(now_ns)
			replace "$m" "$n" "$from" "$to"
			t1=$(now_ns)
			read -r c1 _ <"/proc/$BASHPID/schedstat"
			echo "CTL time $n $m $(((t1 - t0) / 1000)) $(((c1 - c0) / 1000))"
			from=$to
		done
		for m in naive safe; do
			to=$((1 - from))
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
			from=$to
		done
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

[ "$CTL" = 0 ] || ctl_test
kill "$OUTSIDE_PID"
}

set -o pipefail
main | tee "$W/out"
awk -f "$HERE/table.awk" "$W/out"
