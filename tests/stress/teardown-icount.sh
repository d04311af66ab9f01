#!/bin/bash
# Issue 10 item 4 without the host's load in the figure: tearing down N
# namespaces (a device matching hoguard's pattern in each) without and with
# hoguard, ROUNDS pairs. Prints wall ms and the busy CPU time of the whole
# VM (/proc/stat: all but idle and iowait, in USER_HZ ticks) from the
# deletion to the cleanup being done. Meant for one vCPU under -icount,
# where busy time is guest instructions whatever the host is doing:
#   VMRUN_SMP=1 VMRUN_QEMU_ARGS="-icount shift=0" \
#       scripts/vmrun SERIES tests/stress/teardown-icount.sh KO [N [ROUNDS]]
set -eu
KO=$1; N=${2:-1000}; ROUNDS=${3:-2}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
teardown() {
	local n=$1 i t0 b0
	for ((i = 0; i < n; i++)); do
		echo "netns add hge$i"
		echo "link add vboxnet0 netns hge$i type dummy"
	done | ip -batch -
	ip netns add hgecanary
	ip link add hgecan0 type veth peer name eth0 netns hgecanary
	sleep 2
	b0=$(busy); t0=$(now_ms)
	for ((i = 0; i < n; i++)); do echo "netns del hge$i"; done | ip -batch -
	ip netns del hgecanary
	while [ -e /sys/class/net/hgecan0 ]; do sleep 0.05; done
	echo "$(($(now_ms) - t0))ms/$(($(busy) - b0))j"
}
ip link add vmnet1 type dummy
echo "# USER_HZ $(getconf CLK_TCK); N=$N"
for ((r = 0; r < ROUNDS; r++)); do
	echo "E1 without $(teardown "$N")"
	insmod "$KO" 'hostonly=vmnet1,vboxnet*'
	echo "E1 with $(teardown "$N")"
	rmmod hoguard
done
