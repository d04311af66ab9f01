#!/bin/bash
# Run in the debug kernel's VM by tests/debug-kernel/check.sh:
#
#   in-vm.sh SCRIPT [ARGS...]
#
# Forgets what kmemleak suspects from boot, runs SCRIPT (a test suite that
# loads and unloads hoguard.ko), makes sure the module is unloaded, then
# scans for leaks twice, as kmemleak's documentation advises (an object is
# reported only once it is 5 s old and unreferenced in two scans), and
# fails if anything is reported. The kernel log itself (KASAN, UBSAN,
# lockdep, RCU, DEBUG_OBJECTS, WARN) is checked by vmrun afterwards.
set -u

K=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
[ -w $K ] || { echo "in-vm: no $K: not the debug kernel?"; exit 1; }
echo scan >$K
echo clear >$K

start=$SECONDS
st=0
"$@" || st=$?
echo "# in-vm: $(basename "$1") exited $st after $((SECONDS - start)) s"

[ -d /sys/module/hoguard ] && rmmod hoguard
sleep 6
echo scan >$K
sleep 1
echo scan >$K
report=$(cat $K)
n=$(grep -c '^unreferenced object' <<<"$report")
echo "# in-vm: kmemleak after unload: $n unreferenced object(s)"
if [ "$n" -gt 0 ]; then
	echo "$report" | head -n 200
	st=1
fi
exit $st
