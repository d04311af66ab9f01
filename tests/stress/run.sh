#!/bin/bash
# Build hoguard.ko for one kernel series and run the stress tests
# (tests/stress/stress.sh) in a VM booted on that kernel.
#
#   tests/stress/run.sh SERIES [PARTS]        e.g. tests/stress/run.sh 6.12 ab
#
# SERIES is a directory of $CACHE as scripts/vmrun knows them (6.1, 6.12,
# debug for `make check-debug`'s kernel). HOGUARD_STRESS_* variables reach
# the tests (see stress.sh); VMRUN_* ones reach vmrun. Prints the wall time.
#
# With qemu 10 (`scripts/setup qemu10` installs it from bookworm-backports)
# the VM's two vCPUs run on two host threads at once (multi-threaded TCG,
# VMRUN_TCG=multi), so that the floods, the writers and the unloads race
# for real; with an older qemu (what make check has unless qemu 10 was
# installed) they run in turn (VMRUN_TCG=single), as the run says.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HOGUARD_CACHE:-$REPO/.cache}
[ $# -ge 1 ] || { echo "usage: $0 SERIES [PARTS]" >&2; exit 2; }
series=$1
[ $# -lt 2 ] || export HOGUARD_STRESS_PARTS=$2
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -E "$@"; fi; }

qv=$("${VMRUN_QEMU:-qemu-system-x86_64}" --version | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
if [ -z "${VMRUN_TCG:-}" ]; then
	# make check keeps the qemu it has: qemu 10 is opt-in (scripts/setup qemu10)
	if [ "${qv:-0}" -ge 10 ]; then VMRUN_TCG=multi; else VMRUN_TCG=single; fi
fi
export VMRUN_TCG
if [ "$VMRUN_TCG" = multi ] && [ "${qv:-0}" -lt 10 ]; then
	echo "stress: qemu ${qv:-?} is too old for multi-threaded TCG (qemu 10: scripts/setup qemu10);" \
		"VMRUN_TCG=single runs the vCPUs in turn instead" >&2
	exit 1
fi
echo "stress: qemu $qv, TCG thread=$VMRUN_TCG, 2 vCPUs"
start=$SECONDS
mkdir -p "$CACHE/$series"
ko=$("$REPO/scripts/build-module" "$series" 2>"$CACHE/$series/build-stress.log") || {
	cat "$CACHE/$series/build-stress.log" >&2
	echo "stress: building for $series failed" >&2
	exit 1
}
# a private copy: build-module rebuilds $CACHE/SERIES/mod from scratch for
# whoever calls it next, maybe while this VM still loads the module
mkdir -p "$CACHE/stress/$series"
cp "$ko" "$CACHE/stress/$series/hoguard.ko"
ko=$CACHE/stress/$series/hoguard.ko
echo "stress: built $ko"
rc=0
as_root "$REPO/scripts/vmrun" "$series" "$REPO/tests/stress/stress.sh" "$ko" || rc=$?
echo "stress: $series: exit $rc after $((SECONDS - start)) s (wall, build included)"
exit $rc
