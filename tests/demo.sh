#!/bin/bash
# Runs inside the VM (scripts/demo): a guest on host-only network vmnet1
# reaches the outside through the host's forwarding, until hoguard loads.
# Every conclusion printed comes from the pings just made; the script exits
# non-zero when what they showed is not what hoguard promises.
set -eu
KO=$1
P=/sys/module/hoguard/parameters
wrong=0

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
# expect NETNS ADDR reached|blocked: one ping, its outcome, and whether it
# is the expected one
expect() {
	local got=blocked
	if ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; then
		got=reached
	fi
	if [ "$got" = "$3" ]; then
		printf '   %-5s -> %-16s %s\n' "$1" "$2" "$got"
	else
		printf '   %-5s -> %-16s %s   <-- WRONG: expected %s\n' "$1" "$2" "$got" "$3"
		wrong=$((wrong + 1))
	fi
}
# conclude TEXT-IF-RIGHT: print it only when every ping since the last
# conclusion went the expected way
seen=0
conclude() {
	if [ $wrong -eq $seen ]; then
		echo "   $1"
	else
		echo "   NOT AS EXPECTED: $((wrong - seen)) ping(s) above went the wrong way."
	fi
	seen=$wrong
}

modprobe -q veth
modprobe -q bridge
for ns in guest lan; do ip netns add $ns; ip -n $ns link set lo up; done
# vmnet1: a bridge on the host with one guest behind it
ip link add vmnet1 type bridge
ip link add vmnet1-p0 type veth peer name eth0 netns guest
ip link set vmnet1-p0 master vmnet1 up
ip link set vmnet1 up
ip addr add 192.0.2.1/24 dev vmnet1
ip addr add 2001:db8:1::1/64 dev vmnet1 nodad
ip -n guest link set eth0 up
ip -n guest addr add 192.0.2.2/24 dev eth0
ip -n guest addr add 2001:db8:1::2/64 dev eth0 nodad
ip -n guest route add default via 192.0.2.1
ip -n guest -6 route add default via 2001:db8:1::1
# the outside world: eth-out to a "lan" that knows a way back
ip link add eth-out type veth peer name eth0 netns lan
ip link set eth-out up
ip addr add 198.51.100.1/24 dev eth-out
ip addr add 2001:db8:100::1/64 dev eth-out nodad
ip -n lan link set eth0 up
ip -n lan addr add 198.51.100.2/24 dev eth0
ip -n lan addr add 2001:db8:100::2/64 dev eth0 nodad
ip -n lan route add 192.0.2.0/24 via 198.51.100.1
ip -n lan -6 route add 2001:db8:1::/64 via 2001:db8:100::1
# something on the host turned forwarding on (libvirt, Docker, ...)
sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# a first ping may go to neighbour discovery: settle it before judging
ip netns exec guest ping -c 1 -W 2 192.0.2.1 >/dev/null 2>&1 || true
ip netns exec guest ping -c 1 -W 2 2001:db8:1::1 >/dev/null 2>&1 || true
ping -c 1 -W 2 198.51.100.2 >/dev/null 2>&1 || true
ping -c 1 -W 2 2001:db8:100::2 >/dev/null 2>&1 || true

say "Without hoguard: host-only guest 192.0.2.2 on vmnet1, forwarding on"
expect guest 198.51.100.2 reached
expect guest 2001:db8:100::2 reached
conclude "The host-only network leaks: its guest reaches the LAN."

say "Load hoguard, guarding vmnet1"
run insmod "$KO" hostonly=vmnet1
expect guest 198.51.100.2 blocked
expect guest 2001:db8:100::2 blocked
expect guest 192.0.2.1 reached
conclude "Leaving is blocked; the guest still reaches its host."

say "The firewall is flushed, as libvirt, Docker or an admin may do"
run nft flush ruleset
expect guest 198.51.100.2 blocked
expect lan 192.0.2.2 blocked
conclude "Still blocked, both ways: hoguard's hooks are not in any ruleset."

say "What hoguard saw"
for c in drops_forward drops_inbound drops_postrouting guarded; do
	printf '   %-18s %s\n' "$c" "$(cat $P/$c)"
done
echo
sed "s/^/   /" /proc/net/hoguard
# 4 blocked pings: 3 leaving (forward), 1 routed in (inbound)
[ "$(cat $P/drops_forward)" = 3 ] && [ "$(cat $P/drops_inbound)" = 1 ] || {
	echo "   NOT AS EXPECTED: the counters should read forward 3, inbound 1."
	wrong=$((wrong + 1))
	seen=$wrong
}

say "Unload: the leak is back"
run rmmod hoguard
expect guest 198.51.100.2 reached
conclude "Without the module, nothing stops it."

echo
if [ $wrong -ne 0 ]; then
	echo "demo: FAILED: $wrong outcome(s) differ from what hoguard promises"
	exit 1
fi
echo "demo: every outcome as expected"
