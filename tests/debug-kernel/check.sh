#!/bin/bash
# `make check-debug`: build the debug kernel (build.sh), build hoguard.ko
# against it, then run the end-to-end suite and the stress tests on it in
# the VM with panic_on_warn (vmrun's default), each followed by a kmemleak
# scan after the module is unloaded (in-vm.sh). vmrun fails the run on any
# WARN, BUG, Oops, KASAN/UBSAN/lockdep/RCU/DEBUG_OBJECTS report or unexpected
# taint in the kernel log.
#
# Environment: VMRUN_MEM (2G here), VMRUN_TIMEOUT (3600 here) and the
# HOGUARD_STRESS_* / HOGUARD_E2E_* variables of the suites pass through.
# Every step runs; prints a summary with durations; non-zero exit if any
# step failed. Needs root (apt, and vmrun's VM).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HOGUARD_CACHE:-$REPO/.cache}
cd "$REPO" || exit 1
export VMRUN_MEM=${VMRUN_MEM:-2G}
export VMRUN_TIMEOUT=${VMRUN_TIMEOUT:-3600}

results=()
failed=0
step() {
	local name=$1 start=$SECONDS rc
	shift
	echo "=== $name"
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		results+=("ok   $name ($((SECONDS - start)) s)")
	else
		results+=("FAIL $name (exit $rc, $((SECONDS - start)) s)")
		failed=$((failed + 1))
	fi
	return $rc
}

KO=
module() {
	KO=$(scripts/build-module debug 2>"$CACHE/debug/build-module.log") ||
		{ cat "$CACHE/debug/build-module.log"; return 1; }
	echo "built $KO"
}

vm() {
	scripts/vmrun debug tests/debug-kernel/in-vm.sh "$@"
}

step "debug kernel build" tests/debug-kernel/build.sh || {
	printf '%s\n' "${results[@]}"; exit 1; }
echo "kernel: $(cat "$CACHE/debug/kver")"
step "hoguard.ko for the debug kernel (W=1)" module || {
	printf '%s\n' "${results[@]}"; exit 1; }
step "debug: end-to-end suite + kmemleak" vm "$REPO/tests/e2e/guard.sh" "$KO"
step "debug: stress tests + kmemleak" vm "$REPO/tests/stress/stress.sh" "$KO"

echo
echo "=== summary ($(date -u '+%Y-%m-%d %H:%M UTC'), $(cat "$CACHE/debug/kver"))"
printf '%s\n' "${results[@]}"
echo "$(( ${#results[@]} - failed )) passed, $failed failed"
[ $failed -eq 0 ]
