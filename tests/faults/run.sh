#!/bin/bash
# Build the fault-injecting test build of hoguard.ko (KCFLAGS=-DHOG_FAULT_TEST:
# the parameters fault_every and faults, nothing else differs) for one
# series and run tests/faults/faults.sh in a VM of that kernel.
#
#   tests/faults/run.sh SERIES
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HOGUARD_CACHE:-$REPO/.cache}
[ $# -eq 1 ] || { echo "usage: $0 SERIES" >&2; exit 2; }
series=$1
ko=$("$REPO/scripts/build-module" "$series" KCFLAGS=-DHOG_FAULT_TEST 2>"$CACHE/$series/build-faults.log") || {
	cat "$CACHE/$series/build-faults.log" >&2
	echo "faults: building the test build for $series failed" >&2
	exit 1
}
# a private copy: build-module rebuilds $CACHE/SERIES/mod for its next caller
mkdir -p "$CACHE/faults/$series"
cp "$ko" "$CACHE/faults/$series/hoguard.ko"
exec "$REPO/scripts/vmrun" "$series" "$REPO/tests/faults/faults.sh" "$CACHE/faults/$series/hoguard.ko"
