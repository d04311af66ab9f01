# shellcheck shell=bash
# Helpers for the stress tests (tests/stress/*.sh), run as root in the test
# VM: bookkeeping, the topology, exact packet counting, pktgen.
#
# Topology (documentation prefixes only):
#
#   g1 (guest) --veth-- vmnet1  host (this namespace)  eth-out --veth-- lan
#   o2 (outside) --veth-- eth-out2  /                    h2 --veth-- lan eth1
#
#   vmnet1    192.0.2.1/26      2001:db8:1::1/64    g1: 192.0.2.2, 2001:db8:1::2
#   eth-out   198.51.100.1/25   2001:db8:100::1/64  lan: 198.51.100.2, ::2
#   eth-out2  203.0.113.1/25    2001:db8:203::1/64  o2: 203.0.113.7, ::7
#   h2 (a second host, for devices moved between namespaces):
#             eth-out 198.51.100.129/25, 2001:db8:101::1/64 to lan eth1
#             (198.51.100.130, 2001:db8:101::2), routes to lan's eth0 net
#
# lan counts what arrives, by source (host-only: 192.0.2.0/24 and
# 2001:db8:1::/64; outside: everything else), family and port, in nft
# counters; it drops what it counts, so nothing answers.

PARAMS=/sys/module/hoguard/parameters
STRESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$STRESS_DIR/../lib/common.sh"

pget() { cat "$PARAMS/$1"; }
# pset NAME VALUE: a write that must succeed.
pset() {
	local err
	err=$({ printf '%s\n' "$2" >"$PARAMS/$1"; } 2>&1) || die "echo '$2' > $1: $err"
}

drops() { echo "$(pget drops_forward) $(pget drops_inbound) $(pget drops_postrouting)"; }

# ---------------------------------------------------------------------------
# Topology

ns_sysctls() {
	local k s=()
	for k in all default; do
		s+=("net.ipv6.conf.$k.accept_dad=0" "net.ipv6.conf.$k.accept_ra=0"
			"net.ipv6.conf.$k.router_solicitations=0"
			"net.ipv6.conf.$k.keep_addr_on_down=1"
			"net.ipv4.conf.$k.rp_filter=0")
	done
	s+=("net.ipv4.ip_forward=$2" "net.ipv6.conf.all.forwarding=$2")
	if [ -n "$1" ]; then
		ip netns exec "$1" sysctl -q -w "${s[@]}" >/dev/null
	else
		sysctl -q -w "${s[@]}" >/dev/null
	fi
}

ns_add() {
	ip netns add "$1"
	ns_sysctls "$1" "$2"
	ip -n "$1" link set lo up
}

# g1_link: (re)create vmnet1 in the host and g1's end of it, with addresses
# and g1's default routes.
g1_link() {
	ip link add name vmnet1 type veth peer name eth0 netns g1
	vmnet1_addrs ""
	ip -n g1 link set eth0 up
	ip -n g1 addr add 192.0.2.2/26 dev eth0
	ip -n g1 -6 addr add 2001:db8:1::2/64 dev eth0 nodad
	ip -n g1 route add default via 192.0.2.1
	ip -n g1 -6 route add default via 2001:db8:1::1
}

# vmnet1_addrs NS: the host side's addresses, in NS ("" = here), link up.
vmnet1_addrs() {
	local n=()
	[ -n "$1" ] && n=(-n "$1")
	ip "${n[@]}" addr add 192.0.2.1/26 dev vmnet1
	ip "${n[@]}" -6 addr add 2001:db8:1::1/64 dev vmnet1 nodad
	ip "${n[@]}" link set vmnet1 up
}

topo_build() {
	topo_del
	ns_sysctls "" 1
	sysctl -q -w net.core.netdev_max_backlog=100000
	ns_add g1 0
	ns_add lan 0
	ns_add o2 0
	ns_add h2 1
	g1_link

	out_link eth-out lan 198.51.100.1/25 2001:db8:100::1/64 \
		198.51.100.2/25 2001:db8:100::2/64
	out_link eth-out2 o2 203.0.113.1/25 2001:db8:203::1/64 \
		203.0.113.7/25 2001:db8:203::7/64
	ip -n o2 route add default via 203.0.113.1
	ip -n o2 -6 route add default via 2001:db8:203::1

	ip -n h2 link add name eth-out type veth peer name eth1 netns lan
	ip -n h2 addr add 198.51.100.129/25 dev eth-out
	ip -n h2 -6 addr add 2001:db8:101::1/64 dev eth-out nodad
	ip -n h2 link set eth-out up
	ip -n lan link set eth1 up
	ip -n lan addr add 198.51.100.130/25 dev eth1
	ip -n lan -6 addr add 2001:db8:101::2/64 dev eth1 nodad
	ip -n h2 route add 198.51.100.0/25 via 198.51.100.130
	ip -n h2 -6 route add 2001:db8:100::/64 via 2001:db8:101::2

	# Fixed neighbours towards lan: no packet waits for (or is lost to)
	# address resolution.
	local mac
	mac=$(cat /sys/class/net/eth-out/address)
	ip -n lan neigh replace 198.51.100.1 lladdr "$mac" dev eth0 nud permanent
	mac=$(ip netns exec lan cat /sys/class/net/eth0/address)
	ip neigh replace 198.51.100.2 lladdr "$mac" dev eth-out nud permanent
	ip -6 neigh replace 2001:db8:100::2 lladdr "$mac" dev eth-out nud permanent
	# o2 -> host too: when vmnet1 carries an address of o2's prefix (c3),
	# the host's own replies from that prefix are (rightly) dropped at
	# POST_ROUTING, neighbour advertisements included
	mac=$(cat /sys/class/net/eth-out2/address)
	ip -n o2 neigh replace 203.0.113.1 lladdr "$mac" dev eth0 nud permanent
	ip -n o2 -6 neigh replace 2001:db8:203::1 lladdr "$mac" dev eth0 nud permanent
	mac=$(ip netns exec lan cat /sys/class/net/eth1/address)
	ip -n h2 neigh replace 198.51.100.130 lladdr "$mac" dev eth-out nud permanent
	ip -n h2 -6 neigh replace 2001:db8:101::2 lladdr "$mac" dev eth-out nud permanent

	lan_counters
	topo_ready g1 lan o2 h2 || die "topology not ready"
}

# out_link DEV NS ADDR4 ADDR6 PEER4 PEER6: a veth from this namespace (DEV)
# to NS (eth0), both ends addressed and up.
out_link() {
	ip link add name "$1" type veth peer name eth0 netns "$2"
	ip addr add "$3" dev "$1"
	ip -6 addr add "$4" dev "$1" nodad
	ip link set "$1" up
	ip -n "$2" link set eth0 up
	ip -n "$2" addr add "$5" dev eth0
	ip -n "$2" -6 addr add "$6" dev eth0 nodad
}

topo_ready() {
	local try ns busy
	for try in $(seq 50); do
		busy=
		for ns in "" "$@"; do
			if [ -n "$(ip ${ns:+-n "$ns"} -6 addr show tentative)" ] ||
				ip ${ns:+-n "$ns"} -br link show up |
				awk '$1 != "lo" && $2 != "UP" && $2 != "UNKNOWN" { f = 1 } END { exit !f }'; then
				busy=${ns:-host}
			fi
		done
		[ -z "$busy" ] && return 0
		sleep 0.1
	done
	return 1
}

topo_del() {
	local ns
	for ns in g1 lan o2 h2; do ip netns del "$ns" 2>/dev/null || true; done
	for ns in vmnet1 ext1 eth-out eth-out2; do ip link del "$ns" 2>/dev/null || true; done
	return 0
}

# lan's counters: ho4 ho6 (from host-only sources), out4 out6 (others), per
# destination port 5000 (probes) and 5001 (floods), all dropped after
# counting.
lan_counters() {
	ip netns exec lan nft -f - <<-'EOF'
		table inet st
		delete table inet st
		table inet st {
			counter ho4p { }
			counter ho6p { }
			counter out4p { }
			counter out6p { }
			counter ho4f { }
			counter ho6f { }
			counter out4f { }
			counter out6f { }
			chain input {
				type filter hook input priority -300; policy accept;
				ip saddr 192.0.2.0/24 udp dport 5000 counter name "ho4p" drop
				ip6 saddr 2001:db8:1::/64 udp dport 5000 counter name "ho6p" drop
				meta nfproto ipv4 udp dport 5000 counter name "out4p" drop
				meta nfproto ipv6 udp dport 5000 counter name "out6p" drop
				ip saddr 192.0.2.0/24 udp dport 5001 counter name "ho4f" drop
				ip6 saddr 2001:db8:1::/64 udp dport 5001 counter name "ho6f" drop
				meta nfproto ipv4 udp dport 5001 counter name "out4f" drop
				meta nfproto ipv6 udp dport 5001 counter name "out6f" drop
			}
		}
	EOF
}

# lan_rx: "ho4p ho6p out4p out6p ho4f ho6f out4f out6f" packet counts.
lan_rx() {
	ip netns exec lan nft list counters table inet st |
		awk '$1 == "counter" { n = $2 } $1 == "packets" { v[n] = $2 }
			END { print v["ho4p"]+0, v["ho6p"]+0, v["out4p"]+0, v["out6p"]+0,
				v["ho4f"]+0, v["ho6f"]+0, v["out4f"]+0, v["out6f"]+0 }'
}

# send NS COUNT DST...: COUNT UDP datagrams to port 5000 of each DST from
# namespace NS (bash's /dev/udp: no process per datagram).
send() {
	local ns=$1 count=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$ns" bash -c '
		c=$1; shift
		for d in "$@"; do
			for ((i = 0; i < c; i++)); do
				echo probe 2>/dev/null >"/dev/udp/$d/5000" || true
			done
		done' - "$count" "$@"
}

# probe DESC NS WANT_ARRIVE WANT_DF: send 3 datagrams per family from NS to
# lan's port 5000 (v4 and v6) and check exactly how many arrive and how much
# drops_forward rises. WANT_ARRIVE and WANT_DF are totals over both families
# (0 or 6), waiting up to 7 s for them (a loaded host can keep a VM's
# vCPUs off the CPU that long). Nothing else may be dropped meanwhile: a flood is paused
# (flood_pause) or counted (probe_pg).
probe() {
	local desc=$1 ns=$2 wa=$3 wd=$4 r0 r1 d0 d1 a got want try
	r0=$(lan_rx)
	d0=$(pget drops_forward 2>/dev/null || echo 0)
	send "$ns" 3 198.51.100.2 2001:db8:100::2
	want="arrived=$wa drops_forward=+$wd"
	for try in 0.05 0.3 1 2 4; do
		sleep "$try"
		r1=$(lan_rx)
		d1=$(pget drops_forward 2>/dev/null || echo 0)
		a=$(rx_sum_probes "$r0" "$r1")
		got="arrived=$a drops_forward=+$((d1 - d0))"
		[ "$got" = "$want" ] && break
	done
	check_eq "$desc" "$got" "$want"
}

# probe_pg DESC FLOW: g1's probe (none may arrive, 6 dropped) while pktgen
# floods the host-only FLOW: the flood is stopped (every packet it sent has
# then been through the hooks: netif_receive is synchronous) and counted,
# started again for the probe, stopped and counted again. drops_forward
# must rise by exactly the probe's 6 plus what the flood sent meanwhile,
# and none of either may arrive at lan.
probe_pg() {
	local desc=$1 flow=$2 r0 r1 d0 d1 s0 s1 a f got want try
	pg_stop
	s0=$(pg_sent "$flow")
	r0=$(lan_rx)
	d0=$(pget drops_forward)
	pg_start
	send g1 3 198.51.100.2 2001:db8:100::2
	sleep 0.2
	pg_stop
	s1=$(pg_sent "$flow")
	for try in 0 0.05 0.3 1 2 4; do
		sleep "$try"
		r1=$(lan_rx)
		d1=$(pget drops_forward)
		a=$(rx_sum_probes "$r0" "$r1")
		f=$(rx_sum_flood_ho "$r0" "$r1")
		want="probes arrived=0 flood arrived=0 drops_forward=+$((6 + s1 - s0))"
		got="probes arrived=$a flood arrived=$f drops_forward=+$((d1 - d0))"
		[ "$got" = "$want" ] && break
	done
	check_eq "$desc (the flood sent $((s1 - s0)) meanwhile)" "$got" "$want"
	pg_start
}

# flood_pause PID / flood_resume PID: stop a flood's sender (SIGSTOP) and
# wait until drops_forward stands still (what it sent has been through the
# hooks), so that a probe counts exactly; then let it go on.
flood_pause() {
	local d0 d1 try
	kill -STOP "$1"
	d0=$(pget drops_forward)
	for try in $(seq 40); do
		sleep 0.1
		d1=$(pget drops_forward)
		[ "$d1" = "$d0" ] && return 0
		d0=$d1
	done
	die "flood_pause: drops_forward still rising 4 s after the flood stopped"
}

flood_resume() { kill -CONT "$1"; }

# rx_sum_flood_ho BEFORE AFTER: host-only flood datagrams (port 5001) that
# arrived.
rx_sum_flood_ho() {
	local a b
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	echo $((b[4] - a[4] + b[5] - a[5]))
}

# rx_sum_probes BEFORE AFTER: probe datagrams (port 5000) that arrived.
rx_sum_probes() {
	local a b
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	echo $((b[0] - a[0] + b[1] - a[1] + b[2] - a[2] + b[3] - a[3]))
}

# ---------------------------------------------------------------------------
# pktgen: flows injected as if received on a device (xmit_mode
# netif_receive: no queue in front, so no loss before the stack).

PG=/proc/net/pktgen

pg_cmd() {
	local f=$1
	shift
	echo "$*" >"$f" || die "pktgen: '$*' > $f failed"
}

# What each flow sent in the runs stopped so far (a start zeroes pktgen's
# own counts).
declare -A PG_SUM=() PG_THREAD=()
PG_FLOWS=()

pg_reset() {
	modprobe pktgen 2>/dev/null || true
	[ -d $PG ] || die "no pktgen"
	echo reset >$PG/pgctrl
	PG_SUM=() PG_THREAD=() PG_FLOWS=()
	local t
	for t in "$PG"/kpktgend_*; do pg_cmd "$t" rem_device_all; done
}

# pg_flow THREAD NAME DEV SRC DST [RATE]: a UDP flow to port 5001 on
# kpktgend_THREAD, received on DEV (NAME = DEV or DEV@N), SRC -> DST
# (IPv4 or IPv6), RATE packets/s (0 = as fast as possible), until stopped.
pg_flow() {
	local t=$1 name=$2 dev=$3 src=$4 dst=$5 rate=${6:-0} f
	pg_cmd $PG/kpktgend_"$t" "add_device $name"
	PG_FLOWS+=("$name") PG_SUM[$name]=0 PG_THREAD[$name]=$t
	f=$PG/$name
	pg_cmd "$f" "count 0"
	pg_cmd "$f" "xmit_mode netif_receive"
	pg_cmd "$f" "pkt_size 96"
	pg_cmd "$f" "dst_mac $(cat /sys/class/net/"$dev"/address)"
	pg_cmd "$f" "udp_src_min 40000"
	pg_cmd "$f" "udp_src_max 40000"
	pg_cmd "$f" "udp_dst_min 5001"
	pg_cmd "$f" "udp_dst_max 5001"
	pg_cmd "$f" "flag UDPCSUM"
	if [[ $dst == *:* ]]; then
		pg_cmd "$f" "src6 $src"
		pg_cmd "$f" "dst6 $dst"
	else
		pg_cmd "$f" "src_min $src"
		pg_cmd "$f" "src_max $src"
		pg_cmd "$f" "dst $dst"
	fi
	[ "$rate" = 0 ] || pg_cmd "$f" "ratep $rate"
}

PG_PID=
pg_start() {
	echo start >$PG/pgctrl &
	PG_PID=$!
}

# pg_stop: stop every flow; when it returns, every packet sent has been
# through the stack (the start writer returns once the threads stopped).
pg_stop() {
	local n
	[ -n "$PG_PID" ] || return 0
	echo stop >$PG/pgctrl
	wait "$PG_PID" 2>/dev/null || true
	PG_PID=
	for n in "${PG_FLOWS[@]}"; do
		PG_SUM[$n]=$((PG_SUM[$n] + $(pg_sofar "$n")))
	done
}

pg_sofar() {
	sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' "$PG/$1" | head -n 1
}

# pg_sent NAME: packets pktgen sent on flow NAME in all its runs so far
# (once stopped).
pg_sent() { echo "${PG_SUM[$1]}"; }

# pg_live NAME: what flow NAME has sent so far, running or not.
pg_live() {
	if [ -n "$PG_PID" ]; then
		echo $((PG_SUM[$1] + $(pg_sofar "$1")))
	else
		echo "${PG_SUM[$1]}"
	fi
}

# Each CPU's share of the work while something ran (the writes, the churn,
# the cycles): share_begin, then share_end DESC prints, per CPU, what its
# pktgen thread (kpktgend_N runs on CPU N) injected meanwhile, host-only
# (every one dropped there by hoguard: the part checks that exactly) and
# outside, and sets SHARE_BOTH to "yes" when both CPUs injected packets
# during the window: the work and the packets overlapped in time.
declare -A SHARE0=()
SHARE_T0=0 SHARE_BOTH=
share_begin() {
	local n
	SHARE0=()
	for n in "${PG_FLOWS[@]}"; do SHARE0[$n]=$(pg_live "$n"); done
	SHARE_T0=${EPOCHREALTIME/./}
}

share_end() {
	local n c d ho=() out=() line= ms
	ms=$(((${EPOCHREALTIME/./} - SHARE_T0) / 1000))
	for c in 0 1; do ho[c]=0 out[c]=0; done
	for n in "${PG_FLOWS[@]}"; do
		c=${PG_THREAD[$n]}
		d=$(($(pg_live "$n") - SHARE0[$n]))
		if [[ $n == vmnet1* ]]; then
			ho[c]=$((ho[c] + d))
		else
			out[c]=$((out[c] + d))
		fi
	done
	for c in 0 1; do
		line+="; CPU $c: ${ho[c]} host-only (dropped on CPU $c) + ${out[c]} outside"
	done
	SHARE_BOTH=no
	[ $((ho[0] + out[0])) -eq 0 ] || [ $((ho[1] + out[1])) -eq 0 ] || SHARE_BOTH=yes
	echo "# $1, $ms ms$line; both CPUs injecting throughout: $SHARE_BOTH"
}
