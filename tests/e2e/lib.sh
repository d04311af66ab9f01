# shellcheck shell=bash
# Helpers for tests/e2e/guard.sh: the test topology, packet senders with
# receiver-side counting, module parameters. Bookkeeping (ok, fail,
# check_eq, summary, die) and load/unload come from tests/lib/common.sh.

PARAMS=/sys/module/hoguard/parameters
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$E2E_DIR/../lib/common.sh"

# ---------------------------------------------------------------------------
# Namespaces. H is the host's namespace ("" = the namespace this script runs
# in, i.e. the VM's init namespace); the others are set by topo_names.

H=
G1='' G2='' G3='' G4='' LAN='' LAN2=''

# topo_names HOSTNS PREFIX
topo_names() {
	H=$1
	G1=${2}g1 G2=${2}g2 G3=${2}g3 G4=${2}g4 LAN=${2}lan LAN2=${2}lan2
}

# inns NS CMD...: run CMD in namespace NS ("" = this script's namespace).
inns() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

hx() { inns "$H" "$@"; }

# hip ARGS...: `ip` in the host namespace.
hip() {
	if [ -n "$H" ]; then
		ip -n "$H" "$@"
	else
		ip "$@"
	fi
}

# Addresses (documentation prefixes only).
H1_4=192.0.2.1 H1_6=2001:db8:1::1         # host on vmnet1
G1_4=192.0.2.2 G1_6=2001:db8:1::2         # guest g1 on vmnet1
G2_4=192.0.2.3 G2_6=2001:db8:1::3         # guest g2 on vmnet1
HB_4=192.0.2.65 HB_6=2001:db8:2::1        # host on vboxnet0
G3_4=192.0.2.66 G3_6=2001:db8:2::2        # guest g3 on vboxnet0
HC_4=192.0.2.129 HC_6=2001:db8:3::1       # host on vboxnet1 (case i)
G4_4=192.0.2.130 G4_6=2001:db8:3::2       # guest g4 on vboxnet1 (case i)
HO_4=198.51.100.1 HO_6=2001:db8:100::1    # host on eth-out
LAN_4=198.51.100.2 LAN_6=2001:db8:100::2  # lan on its host side
LAN2_4=203.0.113.2 LAN2_6=2001:db8:200::2 # lan2, behind lan
# Guarded prefixes learned from vmnet1, in the canonical read-back form.
# shellcheck disable=SC2034 # used by guard.sh
VMNET1_PFX=192.0.2.0/26,2001:db8:1::/64

# ns_sysctls NS FORWARDING: quiet IPv6 (no DAD, no router solicitations or
# RAs), no reverse-path filter (case g sends spoofed sources), IPv6
# addresses kept over down/up (case i renames a device). Set before the
# namespace's devices are created so that "default" applies to them.
ns_sysctls() {
	local k settings=()
	for k in all default; do
		settings+=("net.ipv6.conf.$k.accept_dad=0"
			"net.ipv6.conf.$k.accept_ra=0"
			"net.ipv6.conf.$k.router_solicitations=0"
			"net.ipv6.conf.$k.keep_addr_on_down=1"
			"net.ipv4.conf.$k.rp_filter=0")
	done
	settings+=("net.ipv4.ip_forward=$2" "net.ipv6.conf.all.forwarding=$2")
	agent "$1" sysctl "${settings[@]}"
}

# guest_batch ADDR4/LEN ADDR6/LEN GW4 GW6: `ip -batch` lines configuring a
# namespace's eth0 (whose other end is up) with a default route.
guest_batch() {
	cat <<-EOF
		link set lo up
		link set eth0 up
		addr add $1 dev eth0
		addr add $2 dev eth0 nodad
		route add default via $3
		route add ::/0 via $4
	EOF
}

# Agents and receivers. Every namespace gets an agent (agent.sh: a bash
# that sets sysctls and sends packets on request, so that no
# `ip netns exec` is needed per packet) which runs a dual-stack UDP
# receiver on port 5000 that reads and discards; nothing listens on TCP
# port 5001, so a SYN is answered by one RST. What arrived is read from the
# namespace's SNMP counters through /proc/AGENT_PID/net: no process to start.
#   u4 Udp InDatagrams  u6 Udp6InDatagrams  e4 Icmp InEchos
#   e6 Icmp6InEchos     t4, t6 Tcp OutRsts (one per SYN to port 5001)
#   (and for the sender, see tcp_: ta Tcp ActiveOpens, tr Tcp RetransSegs)
#   p4, p6  packets from vmnet1's prefixes arriving on the namespace's eth0,
#           whatever they are addressed to (probe_add)
declare -A AGENT=() NSPIDS=()
RUNDIR=

# nskey NS: set KEY to NS as an array key ("" is not one).
nskey() { KEY=${1:-=init}; }

rundir() {
	[ -n "$RUNDIR" ] || RUNDIR=$(mktemp -d)
}

# ns_start NS: start NS's agent (see ns_ready).
ns_start() {
	local ns=$1 f pid rq rp lpid run=()
	rundir
	nskey "$ns"
	f=$RUNDIR/${KEY//=/_}
	mkfifo "$f.rq" "$f.rp"
	[ -z "$ns" ] || run=(ip netns exec "$ns")
	"${run[@]}" bash "$E2E_DIR/agent.sh" "$f.rq" "$f.rp" &
	pid=$!
	exec {rq}<>"$f.rq" {rp}<>"$f.rp"
	if ! read -r -t 60 -u "$rp" lpid; then
		echo "ns_start: agent in '$KEY' did not start" >&2
		return 1
	fi
	AGENT[$KEY]="$pid $rq $rp"
	NSPIDS[$KEY]="$lpid $pid"
}

# ns_ready NS: wait until NS's receiver is bound (port 5000 = 0x1388).
ns_ready() {
	local try line pid
	nskey "$1"
	pid=${AGENT[$KEY]%% *}
	for try in $(seq 100); do
		while read -r line; do
			[[ $line == *:1388\ * ]] && return 0
		done <"/proc/$pid/net/udp6"
		nap 0.1
	done
	echo "ns_ready: UDP receiver in '$KEY' not bound" >&2
	return 1
}

# ns_stop NS: end NS's agent and receiver.
ns_stop() {
	local p pid rq rp
	nskey "$1"
	for p in ${NSPIDS[$KEY]:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	read -r pid rq rp <<<"${AGENT[$KEY]:-}"
	[ -z "$rp" ] || exec {rq}>&- {rp}>&-
	unset "NSPIDS[$KEY]" "AGENT[$KEY]"
}

# agent NS REQUEST...: have NS's agent do REQUEST (see agent.sh); returns
# its status.
agent() {
	local ns=$1 pid rq rp st
	shift
	nskey "$ns"
	read -r pid rq rp <<<"${AGENT[$KEY]:-}"
	if [ -z "$rp" ]; then
		echo "agent: no agent in '$KEY'" >&2
		return 126
	fi
	echo "$*" >&"$rq"
	if ! read -r -t 60 -u "$rp" st; then
		echo "agent: no answer from '$KEY' to '$*'" >&2
		return 125
	fi
	return "$st"
}

# rx NS NAME: set RXV to counter NAME (see above) of namespace NS.
RXV=
rx() {
	local pid line name val hdr=() vals=() i proto field
	nskey "$1"
	pid=${AGENT[$KEY]%% *}
	case $2 in
	u6 | e6)
		[ "$2" = u6 ] && field=Udp6InDatagrams || field=Icmp6InEchos
		while read -r name val; do
			if [ "$name" = "$field" ]; then
				RXV=$val
				return 0
			fi
		done <"/proc/$pid/net/snmp6"
		;;
	p4 | p6)
		# what lan's probe (probe_add) saw arrive from vmnet1's prefixes
		RXV=$(inns "$1" nft list counter netdev hgprobe "ho${2#p}" |
			awk '$1 == "packets" { print $2 }')
		[ -z "$RXV" ] || return 0
		;;
	*)
		case $2 in
		u4) proto=Udp: field=InDatagrams ;;
		e4) proto=Icmp: field=InEchos ;;
		t4 | t6) proto=Tcp: field=OutRsts ;;
		ta) proto=Tcp: field=ActiveOpens ;;
		tr) proto=Tcp: field=RetransSegs ;;
		esac
		while read -r line; do
			[[ $line == "$proto "* ]] || continue
			if [ ${#hdr[@]} = 0 ]; then
				read -ra hdr <<<"$line"
			else
				read -ra vals <<<"$line"
				for i in "${!hdr[@]}"; do
					if [ "${hdr[i]}" = "$field" ]; then
						RXV=${vals[i]}
						return 0
					fi
				done
			fi
		done <"/proc/$pid/net/snmp"
		;;
	esac
	echo "rx: no counter $2 in '$KEY'" >&2
	return 1
}

# nap SECONDS: sleep without starting a process (they are slow in the VM).
NAP_FD=
nap() {
	if [ -z "$NAP_FD" ]; then
		rundir
		mkfifo "$RUNDIR/nap"
		exec {NAP_FD}<>"$RUNDIR/nap"
		rm "$RUNDIR/nap"
	fi
	read -rt "$1" -u "$NAP_FD" || true
}

# topo_build HOSTNS PREFIX: the issue's topology. The host is HOSTNS (""
# = this namespace, else a new namespace of that name); the guests and the
# outside namespaces are PREFIX{g1,g2,g3,lan,lan2}.
#
#   g1, g2 --veth-- vmnet1 (bridge)  \                      /- lan2
#   g3 ----veth---- vboxnet0          host --eth-out-- lan -
#   192.0.2.0/26, 2001:db8:1::/64 on vmnet1; 192.0.2.64/26, 2001:db8:2::/64
#   on vboxnet0; 198.51.100.0/24, 2001:db8:100::/64 host-lan;
#   203.0.113.0/24, 2001:db8:200::/64 lan-lan2. lan routes all of
#   192.0.2.0/24 and 2001:db8::/32 back via the host, so a leak is visible.
topo_build() {
	local ns
	topo_names "$1" "$2"
	ip -b - <<-EOF
		${H:+netns add $H}
		netns add $G1
		netns add $G2
		netns add $G3
		netns add $LAN
		netns add $LAN2
	EOF
	for ns in "$H" "$G1" "$G2" "$G3" "$LAN" "$LAN2"; do
		ns_start "$ns"
	done
	ns_sysctls "$H" 1
	for ns in "$G1" "$G2" "$G3" "$LAN2"; do
		ns_sysctls "$ns" 0
	done
	ns_sysctls "$LAN" 1

	hip -b - <<-EOF
		link set lo up
		link add name vmnet1 type bridge mcast_snooping 0
		addr add $H1_4/26 dev vmnet1
		addr add $H1_6/64 dev vmnet1 nodad
		link set vmnet1 up
		link add name vm1-p1 type veth peer name eth0 netns $G1
		link set vm1-p1 master vmnet1 up
		link add name vm1-p2 type veth peer name eth0 netns $G2
		link set vm1-p2 master vmnet1 up
		link add name vboxnet0 type veth peer name eth0 netns $G3
		addr add $HB_4/26 dev vboxnet0
		addr add $HB_6/64 dev vboxnet0 nodad
		link set vboxnet0 up
		link add name eth-out type veth peer name eth0 netns $LAN
		addr add $HO_4/24 dev eth-out
		addr add $HO_6/64 dev eth-out nodad
		link set eth-out up
	EOF
	guest_batch "$G1_4/26" "$G1_6/64" "$H1_4" "$H1_6" | ip -n "$G1" -b -
	guest_batch "$G2_4/26" "$G2_6/64" "$H1_4" "$H1_6" | ip -n "$G2" -b -
	guest_batch "$G3_4/26" "$G3_6/64" "$HB_4" "$HB_6" | ip -n "$G3" -b -
	ip -n "$LAN" -b - <<-EOF
		link set lo up
		link set eth0 up
		addr add $LAN_4/24 dev eth0
		addr add $LAN_6/64 dev eth0 nodad
		link add name eth1 type veth peer name eth0 netns $LAN2
		link set eth1 up
		addr add 203.0.113.1/24 dev eth1
		addr add 2001:db8:200::1/64 dev eth1 nodad
	EOF
	guest_batch "$LAN2_4/24" "$LAN2_6/64" 203.0.113.1 2001:db8:200::1 | ip -n "$LAN2" -b -
	ip -n "$LAN" -b - <<-EOF
		route add 192.0.2.0/24 via $HO_4
		route add 2001:db8::/32 via $HO_6
	EOF
	hip -b - <<-EOF
		route add 203.0.113.0/24 via $LAN_4
		route add 2001:db8:200::/64 via $LAN_6
	EOF
	for ns in "$H" "$G1" "$G2" "$G3" "$LAN" "$LAN2"; do
		ns_ready "$ns"
	done
	topo_wait_ready
}

# topo_wait_ready: wait until the host has no tentative IPv6 address and
# each of its links that is administratively up is operationally up too
# (veth carrier once both ends are up, the bridge's once a port forwards).
# The guests' addresses are all nodad.
topo_wait_ready() {
	local try
	for try in $(seq 50); do
		if [ -z "$(hip -6 addr show tentative)" ] &&
			! hip -br link show up | awk '$2 != "UP" && $2 != "UNKNOWN" { f = 1 } END { exit !f }'; then
			return 0
		fi
		nap 0.1
	done
	echo "topology: host links not ready after 5 s:" >&2
	hip -br addr >&2
	return 1
}

# g4_add: case i's second VirtualBox network, vboxnet1 to a fourth guest,
# created while the module is loaded.
g4_add() {
	ip netns add "$G4"
	ns_start "$G4"
	ns_sysctls "$G4" 0
	hip -b - <<-EOF
		link add name vboxnet1 type veth peer name eth0 netns $G4
		addr add $HC_4/26 dev vboxnet1
		addr add $HC_6/64 dev vboxnet1 nodad
		link set vboxnet1 up
	EOF
	guest_batch "$G4_4/26" "$G4_6/64" "$HC_4" "$HC_6" | ip -n "$G4" -b -
	ns_ready "$G4"
	topo_wait_ready
}

# topo_strip: delete the host's devices of the current topology (and so
# the guests' and lan's ends of their veths).
topo_strip() {
	hip -b - <<-EOF
		link del vmnet1
		link del vm1-p1
		link del vm1-p2
		link del vboxnet0
		link del eth-out
	EOF
}

# topo_del: remove the current topology (deleting a namespace deletes its
# veth ends and so their peers; a namespace lives on while a process is in
# it, so the agents go first).
topo_del() {
	local ns
	for ns in "$H" "$G1" "$G2" "$G3" "$G4" "$LAN" "$LAN2"; do
		ns_stop "$ns"
	done
	for ns in "$G1" "$G2" "$G3" "$G4" "$LAN" "$LAN2" "$H"; do
		[ -z "$ns" ] || ip netns del "$ns" 2>/dev/null || true
	done
	if [ -z "$H" ]; then
		for ns in vmnet1 vboxnet0 vboxnet1 eth-out; do
			ip link del "$ns" 2>/dev/null || true
		done
	fi
	return 0
}

# ---------------------------------------------------------------------------
# Senders. Each sends an exact number of packets through the namespace's
# agent; its status is checked only where the caller asks for it (xcheck).

is6() { [[ $1 == *:* ]]; }

# ping_ NS DST COUNT [SRC]: COUNT echo requests, 0.2 s apart. Succeeds
# iff all replies came back. When xcheck expects success (XWANT=0), ping
# waits up to 5 s for them (and ends as soon as they are all in), so that
# a stalled VM cannot fail the check; otherwise it waits 1 s after the
# last request for missing replies.
XWANT=-
ping_() {
	local fam=-4 src=() wait=(-W 1)
	if is6 "$2"; then fam=-6; fi
	if [ $# -ge 4 ]; then src=(-I "$4"); fi
	if [ "$XWANT" = 0 ]; then wait=(-w 5); fi
	agent "$1" ping "$3" "$fam" -n -q -c "$3" -i 0.2 "${wait[@]}" "${src[@]}" "$2"
}

# udp_ NS DST COUNT [SRC]: COUNT datagrams to DST port 5000, each from a
# socket of its own, bound to SRC if given.
udp_() {
	if [ $# -ge 4 ]; then
		agent "$1" udpfrom "$4" "$2" "$3"
	else
		agent "$1" udp "$2" "$3"
	fi
}

# tcp_ NS DST: one TCP connection attempt to DST port 5001; sets SYNS to
# the number of SYNs it sent. socat connects non-blockingly and gives up
# after 0.3 s, and a socket closed in SYN-SENT sends neither FIN nor RST,
# so that is one SYN, unless the VM stalls past the initial RTO of 1 s
# (TCP_TIMEOUT_INIT) and the SYN is retransmitted: it happens on a loaded
# machine, so SYNS counts, from NS's TCP MIB, the attempt (ActiveOpens)
# plus its retransmissions (RetransSegs). When a SYN arrives the peer
# answers RST (nothing listens), which ends the attempt; a RST that comes
# back after the timeout meets no socket and is ignored. What is counted
# on the far side is each SYN's arrival (its RST).
SYNS=0
tcp_() {
	local a o0 r0 st=0
	if is6 "$2"; then a="TCP6:[$2]:5001"; else a="TCP4:$2:5001"; fi
	rx "$1" ta
	o0=$RXV
	rx "$1" tr
	r0=$RXV
	agent "$1" run socat -u /dev/null "$a,connect-timeout=0.3" || st=$?
	rx "$1" ta
	SYNS=$((RXV - o0))
	rx "$1" tr
	SYNS=$((SYNS + RXV - r0))
	return "$st"
}

# sock ADDR PORT: socat's notation for a UDP destination.
sock() {
	if is6 "$1"; then
		echo "UDP6-SENDTO:[$1]:$2"
	else
		echo "UDP4-SENDTO:$1:$2"
	fi
}

# Spoofed sources (cases a and g): UDP datagrams to port 5000 sent by lan2
# as raw Ethernet frames on its eth0, addressed to lan's eth1. They bypass
# lan2's own IP stack and hooks; lan routes them like any other.
SPOOF_PAIRS=(192.0.2.9 "$HO_4" 2001:db8:1::9 "$HO_6" 192.0.2.9 "$G1_4" 2001:db8:1::9 "$G1_6")
FRAMES=

# addr_words ADDR: set W to the 16-bit words of an IPv4 or IPv6 address.
addr_words() {
	local a=$1 head tail h=() t=() x i
	W=()
	if [[ $a != *:* ]]; then
		IFS=. read -ra h <<<"$a"
		W=($((h[0] << 8 | h[1])) $((h[2] << 8 | h[3])))
		return
	fi
	head=$a tail=
	if [[ $a == *::* ]]; then
		head=${a%%::*} tail=${a#*::}
	fi
	[ -z "$head" ] || IFS=: read -ra h <<<"$head"
	[ -z "$tail" ] || IFS=: read -ra t <<<"$tail"
	for x in "${h[@]}"; do W+=($((16#$x))); done
	for ((i = ${#h[@]} + ${#t[@]}; i < 8; i++)); do W+=(0); done
	for x in "${t[@]}"; do W+=($((16#$x))); done
}

# frame_write FILE SRCMAC DSTMAC SRC DST: the Ethernet frame of a UDP
# datagram SRC:40000 -> DST:5000 with a 12-byte payload, checksums right.
frame_write() {
	local sw dw pw=() x sum=0 ulen=20 hdr=() bytes=() out
	addr_words "$4"
	sw=("${W[@]}")
	addr_words "$5"
	dw=("${W[@]}")
	for x in 0x686f 0x6775 0x6172 0x642d 0x6532 0x6521; do pw+=($((x))); done # "hoguard-e2e!"
	if [ ${#sw[@]} = 2 ]; then
		# IPv4; the UDP checksum is optional there: 0.
		hdr=(0x4500 $((20 + ulen)) 1 0 $((64 << 8 | 17)) 0 "${sw[@]}" "${dw[@]}")
		for x in "${hdr[@]}"; do sum=$((sum + x)); done
		while ((sum >> 16)); do sum=$(((sum & 0xffff) + (sum >> 16))); done
		hdr[5]=$((~sum & 0xffff))
		bytes=(0x0800 "${hdr[@]}" 40000 5000 "$ulen" 0 "${pw[@]}")
	else
		# IPv6: pseudo-header + UDP header + payload.
		for x in "${sw[@]}" "${dw[@]}" "$ulen" 17 40000 5000 "$ulen" "${pw[@]}"; do
			sum=$((sum + x))
		done
		while ((sum >> 16)); do sum=$(((sum & 0xffff) + (sum >> 16))); done
		sum=$((~sum & 0xffff))
		[ "$sum" != 0 ] || sum=0xffff
		bytes=(0x86dd 0x6000 0 "$ulen" $((17 << 8 | 64)) "${sw[@]}" "${dw[@]}"
			40000 5000 "$ulen" "$sum" "${pw[@]}")
	fi
	out='\x'${3//:/'\x'}'\x'${2//:/'\x'}
	for x in "${bytes[@]}"; do
		printf -v x '\\x%02x\\x%02x' $((x >> 8 & 255)) $((x & 255))
		out+=$x
	done
	printf '%b' "$out" >"$1"
}

# frames_prepare: build the frames of SPOOF_PAIRS for the current topology.
frames_prepare() {
	local srcmac dstmac i f
	rundir
	FRAMES=$RUNDIR/frames
	mkdir -p "$FRAMES"
	srcmac=$(ip -n "$LAN2" -br link show dev eth0 | awk '{ print $3 }')
	dstmac=$(ip -n "$LAN" -br link show dev eth1 | awk '{ print $3 }')
	for ((i = 0; i < ${#SPOOF_PAIRS[@]}; i += 2)); do
		f=${SPOOF_PAIRS[i]}-${SPOOF_PAIRS[i + 1]}
		frame_write "$FRAMES/${f//:/_}" "$srcmac" "$dstmac" "${SPOOF_PAIRS[i]}" "${SPOOF_PAIRS[i + 1]}"
	done
}

# inject SRC DST COUNT: COUNT spoofed datagrams SRC -> DST from lan2 (a pair
# of SPOOF_PAIRS).
inject() {
	local f=$1-$2
	f=$FRAMES/${f//:/_}
	[ -s "$f" ] || { echo "inject: no frame $f" >&2; return 1; }
	agent "$LAN2" frame "$f" "$3"
}

# probe_add NS: count in NS what arrives on its eth0 from vmnet1's prefixes
# (rx p4, p6), before anything else sees it.
probe_add() {
	inns "$1" nft -f - <<-'EOF'
		table netdev hgprobe {
			counter ho4 { }
			counter ho6 { }
			chain in {
				type filter hook ingress device "eth0" priority -500; policy accept;
				ip saddr 192.0.2.0/26 counter name "ho4"
				ip6 saddr 2001:db8:1::/64 counter name "ho6"
			}
		}
	EOF
}

probe_del() {
	inns "$1" nft delete table netdev hgprobe
}

# ---------------------------------------------------------------------------
# Module parameters and counters.

# pread NAME: set PV to a parameter's value (no process started), or to
# "<unreadable>" (a list longer than a page fails with EOVERFLOW).
PV=
pread() {
	PV=
	{ IFS= read -r PV || [ -n "$PV" ]; } 2>/dev/null <"$PARAMS/$1" || PV="<unreadable>"
}

# pget NAME: print a parameter.
pget() {
	pread "$1"
	printf '%s\n' "$PV"
}

# pset NAME VALUE: write VALUE plus a newline, as `echo VALUE > file` does.
# Returns the write's status; its error message (bash's: "...: write error:
# Invalid argument") is left in PSET_ERR.
PSET_ERR=
pset() {
	local st=0
	rundir
	{ printf '%s\n' "$2" >"$PARAMS/$1"; } 2>"$RUNDIR/pset.err" || st=$?
	PSET_ERR=
	if [ "$st" != 0 ]; then
		IFS= read -r PSET_ERR <"$RUNDIR/pset.err" || true
	fi
	return "$st"
}

# must_set NAME VALUE: a write that must succeed (setup).
must_set() {
	pset "$1" "$2" || die "echo '$2' > $1 failed: $PSET_ERR"
}

# counters: set CNT to "fwd in post", or "- - -" without the module.
CNT=
counters() {
	local f i p
	if loaded && read -r f <"$PARAMS/drops_forward" && read -r i <"$PARAMS/drops_inbound" &&
		read -r p <"$PARAMS/drops_postrouting"; then
		CNT="$f $i $p"
	else
		CNT="- - -"
	fi
}

# configure HOSTONLY SUBNETS LEARN INBOUND: set the whole config (log and
# monitor off).
configure() {
	must_set hostonly "$1"
	must_set subnets "$2"
	must_set learn "$3"
	must_set inbound "$4"
	must_set log 0
	must_set monitor 0
}

# xcheck DESC STATUS RXNS RXCOUNTER RX DF DI DP CMD...
#   Run CMD (a sender) and check what happened, exactly:
#   STATUS  0: CMD must succeed, 1: must fail, -: not checked
#   RX      packets that must arrive: increase of RXCOUNTER (see rx) in RXNS
#   DF DI DP  increase of drops_forward, drops_inbound, drops_postrouting
#           ("-" = not checked, e.g. without the module)
#   RX, DF, DI or DP "S": the number of SYNs that tcp_ (CMD) sent.
xcheck() {
	local desc=$1 wst=$2 rxns=$3 rxc=$4 wrx=$5 df=$6 di=$7 dp=$8
	shift 8
	local r0 c0 st=0 want try
	rx "$rxns" "$rxc"
	r0=$RXV
	counters
	c0=$CNT
	XWANT=$wst SYNS=0
	"$@" >/dev/null 2>&1 || st=1
	XWANT=-
	if [ "$wrx$df$di$dp" != "${wrx//S/}${df//S/}${di//S/}${dp//S/}" ]; then
		if [ "$SYNS" = 0 ]; then
			fail "$desc" "no SYN was sent"
			return
		fi
		wrx=${wrx/S/$SYNS} df=${df/S/$SYNS} di=${di/S/$SYNS} dp=${dp/S/$SYNS}
	fi
	want="rx=+$wrx"
	[ "$df" = - ] || want+=" fwd=+$df"
	[ "$di" = - ] || want+=" in=+$di"
	[ "$dp" = - ] || want+=" post=+$dp"
	[ "$wst" = - ] || want+=" status=$wst"
	# Forwarding between namespaces is mostly done by the time the sender
	# is back, but may wait for neighbour discovery or a stalled VM: poll
	# for 3 s at most. (A packet late beyond that cannot fake a drop:
	# every drop check also wants the module's counter to rise.)
	for ((try = 0; try < 30; try++)); do
		nap 0.1
		xcheck_got "$r0" "$c0" "$rxns" "$rxc" "$df" "$di" "$dp" "$wst" "$st"
		[ "$GOT" = "$want" ] && break
	done
	if [ "$GOT" = "$want" ]; then
		ok "$desc"
	else
		fail "$desc" "got $GOT, want $want"
	fi
}

GOT=
xcheck_got() {
	local r0=$1 c0=$2 rxns=$3 rxc=$4 df=$5 di=$6 dp=$7 wst=$8 st=$9
	local f0 i0 p0 f1 i1 p1
	rx "$rxns" "$rxc"
	GOT="rx=+$((RXV - r0))"
	counters
	read -r f0 i0 p0 <<<"$c0"
	read -r f1 i1 p1 <<<"$CNT"
	if [ "$df" != - ]; then
		if [ "$f0" = - ] || [ "$f1" = - ]; then GOT+=" fwd=?"; else GOT+=" fwd=+$((f1 - f0))"; fi
	fi
	if [ "$di" != - ]; then
		if [ "$i0" = - ] || [ "$i1" = - ]; then GOT+=" in=?"; else GOT+=" in=+$((i1 - i0))"; fi
	fi
	if [ "$dp" != - ]; then
		if [ "$p0" = - ] || [ "$p1" = - ]; then GOT+=" post=?"; else GOT+=" post=+$((p1 - p0))"; fi
	fi
	[ "$wst" = - ] || GOT+=" status=$st"
}

# ---------------------------------------------------------------------------
# Kernel log: a mark written to /dev/kmsg, then the lines logged after it.

KMARK=0
kmark() {
	KMARK=$((KMARK + 1))
	# Level 6 (info): not echoed on the console.
	echo "<6>hoguard-e2e: mark $KMARK" >/dev/kmsg
}

# klog_fetch: read the kernel log (one dmesg for any number of klog) and
# index its `hoguard: ` lines by the mark before them.
declare -A KLOGS=()
klog_fetch() {
	local log line mark=
	log=$(dmesg -t)
	KLOGS=()
	while IFS= read -r line; do
		if [[ $line == "hoguard-e2e: mark "* ]]; then
			mark=${line#hoguard-e2e: mark }
			KLOGS[$mark]=
		elif [ -n "$mark" ] && [[ $line == "hoguard: "* ]]; then
			KLOGS[$mark]+=${KLOGS[$mark]:+$'\n'}$line
		fi
	done <<<"$log"
}

# klog [MARK]: set KLOG to the `hoguard: ` lines logged after mark MARK
# (default: the last one) and before the next mark, as of klog_fetch.
KLOG=
klog() {
	# shellcheck disable=SC2034 # read by guard.sh
	KLOG=${KLOGS[${1:-$KMARK}]:-}
}
