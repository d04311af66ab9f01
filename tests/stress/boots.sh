#!/bin/bash
# Many short boots, to measure how often the emulator faults (README,
# Testing: the int3 and double-fault Oopses seen with qemu 7.2):
#
#   tests/stress/boots.sh N SERIES KO     e.g. tests/stress/boots.sh 100 6.12 hoguard.ko
#
# Each boot (-smp 2, VMRUN_TCG as given, default multi) loads KO, makes and
# deletes a few namespaces, unloads it; vmrun fails a boot whose kernel log
# shows any fault. Prints a line per boot and `BOOTS ...: OK ok, F failed
# of N`; a failed boot's console is kept in $CACHE/boots/.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HOGUARD_CACHE:-$REPO/.cache}
[ $# -eq 3 ] || { echo "usage: $0 N SERIES KO" >&2; exit 2; }
n=$1 s=$2 ko=$3
export VMRUN_TCG=${VMRUN_TCG:-multi}
ok=0 bad=0
mkdir -p "$CACHE/boots"
for i in $(seq "$n"); do
	t=$SECONDS
	if out=$(VMRUN_TIMEOUT=300 "$REPO/scripts/vmrun" "$s" "$REPO/tests/stress/boot-once.sh" "$ko" 2>&1) &&
		grep -q BOOT-OK <<<"$out"; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
		cp "$CACHE/$s/last-console.txt" "$CACHE/boots/fail-$s-$i.txt" 2>/dev/null
		echo "boot $i: FAILED: $(grep -m3 -E 'Oops|double fault|int3|BUG|WARNING|vmrun:' <<<"$out" | tr '\n' ' ')"
	fi
	echo "boot $i: $((SECONDS - t)) s; ok $ok, failed $bad"
done
echo "BOOTS $s, $("${VMRUN_QEMU:-qemu-system-x86_64}" --version | head -n 1), TCG thread=$VMRUN_TCG: $ok ok, $bad failed of $n"
[ "$bad" -eq 0 ]
