#!/bin/bash
# Runs inside the VM (scripts/demo): a guest on host-only network vmnet1
# reaches the outside through the host's forwarding, until hoguard loads.
set -eu
KO=$1
P=/sys/module/hoguard/parameters

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
reach() {	# reach NETNS ADDR: one ping, report the outcome
	if ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; then
		echo "   $1 -> $2: REACHED"
	else
		echo "   $1 -> $2: no answer"
	fi
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

say "Without hoguard: host-only guest 192.0.2.2 on vmnet1, forwarding on"
reach guest 198.51.100.2
reach guest 2001:db8:100::2
echo "   The host-only network leaks: its guest reaches the LAN."

say "Load hoguard, guarding vmnet1"
run insmod "$KO" hostonly=vmnet1
reach guest 198.51.100.2
reach guest 2001:db8:100::2
reach guest 192.0.2.1
echo "   Leaving is blocked; the guest still reaches its host."

say "The firewall is flushed, as libvirt, Docker or an admin may do"
run nft flush ruleset
reach guest 198.51.100.2
reach lan 192.0.2.2
echo "   Still blocked, both ways: hoguard's hooks are not in any ruleset."

say "What hoguard saw"
for c in drops_forward drops_inbound drops_postrouting guarded; do
	printf '   %-18s %s\n' "$c" "$(cat $P/$c)"
done
echo
sed "s/^/   /" /proc/net/hoguard

say "Unload: the leak is back"
run rmmod hoguard
reach guest 198.51.100.2
