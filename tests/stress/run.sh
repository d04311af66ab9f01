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
# With qemu 10 (`scripts/setup qemu10`: the system's if it is 10 or newer,
# else bookworm-backports' unpacked into $CACHE/qemu10, which make check's
# setup does) the VM's two vCPUs run on two host threads at once
# (multi-threaded TCG, VMRUN_TCG=multi), so that the floods, the writers and
# the unloads race for real; with an older qemu they run in turn
# (VMRUN_TCG=single), and the run says so.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HOGUARD_CACHE:-$REPO/.cache}
[ $# -ge 1 ] || { echo "usage: $0 SERIES [PARTS]" >&2; exit 2; }
series=$1
[ $# -lt 2 ] || export HOGUARD_STRESS_PARTS=$2
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -E "$@"; fi; }

# shellcheck source-path=SCRIPTDIR source=../../scripts/qemu10.sh
. "$REPO/scripts/qemu10.sh"
qemu10_use
qv=$QEMU_VERSION
if [ "$VMRUN_TCG" = multi ] && [ "${qv:-0}" -lt 10 ]; then
	echo "stress: qemu ${qv:-?} is too old for multi-threaded TCG (qemu 10: scripts/setup qemu10);" \
		"VMRUN_TCG=single runs the vCPUs in turn instead" >&2
	exit 1
fi
[ "$VMRUN_TCG" = multi ] ||
	echo "stress: qemu ${qv:-?}: the two vCPUs run in turn on one host thread, not in parallel" \
		"(scripts/setup qemu10 gives qemu 10)" >&2
echo "stress: qemu $qv (${VMRUN_QEMU:-qemu-system-x86_64}), TCG thread=$VMRUN_TCG, 2 vCPUs"
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
