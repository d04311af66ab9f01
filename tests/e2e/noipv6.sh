#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hoguard on a kernel booted with ipv6.disable=1 (a common hardening: the
# IPv6 stack is there but never initialises, no device has an inet6_dev):
# the module loads, guards IPv4 with exact counters, takes IPv6 prefixes as
# configuration, follows a namespace's devices, and unloads.
#
#   VMRUN_APPEND=ipv6.disable=1 scripts/vmrun SERIES tests/e2e/noipv6.sh KO
#
# Topology: g1 (guest, behind vmnet1, host-only) and lan (outside, behind
# eth-out), both veth pairs into the VM's namespace, which forwards IPv4.
set -u

KO=${1:?usage: noipv6.sh HOGUARD_KO}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$HERE/../lib/common.sh"
P=/sys/module/hoguard/parameters

plan 11
grep -qw 'ipv6.disable=1' /proc/cmdline ||
	die "not booted with ipv6.disable=1 (VMRUN_APPEND)"
[ ! -e /proc/sys/net/ipv6 ] || die "IPv6 is up despite ipv6.disable=1"

topology() {
	ip netns add g1 && ip netns add lan &&
		ip link add vmnet1 type veth peer name eth0 netns g1 &&
		ip link add eth-out type veth peer name eth0 netns lan &&
		ip addr add 192.0.2.1/24 dev vmnet1 && ip link set vmnet1 up &&
		ip addr add 198.51.100.1/24 dev eth-out &&
		ip link set eth-out up &&
		ip -n g1 addr add 192.0.2.2/24 dev eth0 &&
		ip -n g1 link set eth0 up &&
		ip -n g1 route add default via 192.0.2.1 &&
		ip -n lan addr add 198.51.100.2/24 dev eth0 &&
		ip -n lan link set eth0 up &&
		ip -n lan route add default via 198.51.100.1 &&
		sysctl -qw net.ipv4.ip_forward=1
}
topology || die "topology"

# ping2 NS DST: 2 echo requests from namespace NS ("" = the VM's); prints
# how many replies came back.
ping2() {
	local ns=()

	[ -z "$1" ] || ns=(ip netns exec "$1")
	"${ns[@]}" ping -n -c 2 -i 0.2 -W 1 "$2" 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

# learned NS: what hoguard learned in namespace NS, once it has (the
# device events are handled by a work item), or after 10 s.
learned() {
	local out=
	for _ in $(seq 50); do
		out=$(ip netns exec "$1" cat /proc/net/hoguard |
			sed -n 's/^learned //p')
		[ -z "$out" ] || break
		sleep 0.2
	done
	echo "$out"
}

check_eq "without hoguard g1 -> lan is forwarded" "$(ping2 g1 198.51.100.2)" 2

load hostonly=vmnet1
check_eq "learned vmnet1's IPv4 prefix, no IPv6 one" "$(cat $P/guarded)" \
	192.0.2.0/24
check_eq "g1 -> lan: nothing arrives" "$(ping2 g1 198.51.100.2)" 0
check_eq "drops_forward counts the 2 requests" "$(cat $P/drops_forward)" 2
check_eq "lan -> g1: nothing arrives" "$(ping2 lan 192.0.2.2)" 0
check_eq "drops_inbound counts the 2 requests" "$(cat $P/drops_inbound)" 2
check_eq "the host reaches g1 (its own packets)" "$(ping2 "" 192.0.2.2)" 2

echo "+198.51.100.128/25,2001:db8:5::/48" >$P/subnets
check_eq "IPv6 prefixes are configuration all the same" "$(cat $P/subnets)" \
	198.51.100.128/25,2001:db8:5::/48

# A namespace's host-only device, learned and forgotten with the namespace.
namespace2() {
	ip netns add n2 && ip -n n2 link add vmnet1 type dummy &&
		ip -n n2 addr add 203.0.113.1/24 dev vmnet1 &&
		ip -n n2 link set vmnet1 up
}
namespace2 || die "namespace n2"
check_eq "a namespace's host-only device is followed" "$(learned n2)" \
	203.0.113.0/24
ip netns del n2
check_eq "drops_postrouting stayed 0" "$(cat $P/drops_postrouting)" 0

check_cmd "rmmod" rmmod hoguard
summary
[ "$T_FAIL" -eq 0 ]
