#!/bin/bash
# `make check-debug`: build the debug kernel (build.sh), build hoguard.ko
# against it, then run the end-to-end suite, the stress tests and the
# kernel's fault injection on hoguard's failure paths (faults.sh: fail_function
# on its allocation helpers, failslab on the module load) on it in the VM
# with panic_on_warn (vmrun's default), each followed by a kmemleak scan
# after the module is unloaded (in-vm.sh). The suite and each stress
# part get a VM of their own, two at a time. vmrun fails the run on any
# WARN, BUG, Oops, KASAN/UBSAN/lockdep/RCU/DEBUG_OBJECTS report or unexpected
# taint in the kernel log.
#
# Environment: VMRUN_MEM (2G here), VMRUN_TIMEOUT (3600 here), VMRUN_TCG
# (single here) and the HOGUARD_STRESS_* / HOGUARD_E2E_* variables of the
# suites pass through. HOGUARD_DEBUG_LANES (A B): the lanes to run, A the
# fault injection, B the stress parts and the suite, E the suite alone
# (to repeat one).
# Every step runs; prints a summary with durations; non-zero exit if any
# step failed. Needs root (apt, and vmrun's VM).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HOGUARD_CACHE:-$REPO/.cache}
cd "$REPO" || exit 1
export VMRUN_MEM=${VMRUN_MEM:-2G}
export VMRUN_TIMEOUT=${VMRUN_TIMEOUT:-3600}

# shellcheck source-path=SCRIPTDIR source=../../scripts/steps.sh
. "$REPO/scripts/steps.sh"
# shellcheck source-path=SCRIPTDIR source=../../scripts/qemu10.sh
. "$REPO/scripts/qemu10.sh"
# qemu 10 where there is one, but one host thread per VM: the two lanes'
# VMs already fill two cores, and with multi-threaded TCG their four vCPU
# threads preempt each other's lock holders on this spinlock-heavy kernel
# (2026-12-03: stress part c did not end within 3,600 s beside the fault
# injection; on one thread each it took 2,058 s, 2026-12-01).
export VMRUN_TCG=${VMRUN_TCG:-single}
# pktgen's flows in the stress parts at 500 packets/s each, not 2,000: on
# this kernel under TCG every packet pays KASAN's and lockdep's checks on
# one emulated thread, taken from part c's namespace churn, which is what
# the checkers are here for (run 4, 2026-12-03: with 2,000, part c did not
# end in 76 minutes). The exact counts hold at any rate.
export HOGUARD_STRESS_RATE=${HOGUARD_STRESS_RATE:-500}

KO=
module() {
	KO=$(scripts/build-module debug 2>"$CACHE/debug/build-module.log") ||
		{ cat "$CACHE/debug/build-module.log"; return 1; }
	echo "built $KO"
}

# vm NAME SCRIPT [STRESS_PARTS]: SCRIPT in its own VM, logs tagged NAME.
vm() {
	VMRUN_LOG_TAG=$1 HOGUARD_STRESS_PARTS=${3:-abcd} \
		scripts/vmrun debug tests/debug-kernel/in-vm.sh "$2" "$KO"
}

step "setup: the host tools the VM runs, qemu 10" scripts/setup deps qemu10 || { steps_summary; exit 1; }
qemu10_use
echo "check-debug: qemu $QEMU_VERSION (${VMRUN_QEMU:-qemu-system-x86_64}), TCG thread=$VMRUN_TCG"
step "debug kernel build" tests/debug-kernel/build.sh || { steps_summary; exit 1; }
echo "kernel: $(cat "$CACHE/debug/kver")"
step "hoguard.ko for the debug kernel (W=1)" module || { steps_summary; exit 1; }

# Each suite, and each part of the stress tests, in a VM of its own (with
# its own kmemleak scan), in two lanes side by side, of about equal length
# (VM times of 2026-12-04, two VMs at a time): A, the fault injection's
# control path (902-1,104 s) and module-load sweep (322 s), then stress
# parts d (754 s), a (505 s) and b (586 s); B, stress part c, the
# namespace churn (1,907 s), then the suite (1,547 s). Lane E is the suite
# alone (to repeat it).
lane() {
	local p
	case $1 in
	A)
		VMRUN_TIMEOUT=${HOGUARD_FAULTS_TIMEOUT:-7200} \
			step "debug: fault injection, the control path (fail_function) + kmemleak" vm faults "$REPO/tests/debug-kernel/faults.sh"
		# the load sweep's boot marks the slab caches for failslab
		# (faults.sh's LOAD_BOOT, read from there), which the control
		# path must not have
		HOGUARD_FAULTS_LOAD=only VMRUN_TIMEOUT=${HOGUARD_FAULTS_TIMEOUT:-7200} \
			VMRUN_APPEND=$(sed -n 's/^LOAD_BOOT="\(.*\)"$/\1/p' "$REPO/tests/debug-kernel/faults.sh") \
			step "debug: fault injection, the module load (failslab) + kmemleak" vm faults-load "$REPO/tests/debug-kernel/faults.sh"
		for p in d a b; do
			step "debug: stress part $p + kmemleak" vm "stress-$p" "$REPO/tests/stress/stress.sh" $p
		done
		;;
	B)
		step "debug: stress part c + kmemleak" vm stress-c "$REPO/tests/stress/stress.sh" c
		step "debug: end-to-end suite + kmemleak" vm e2e "$REPO/tests/e2e/guard.sh"
		;;
	E)
		step "debug: end-to-end suite + kmemleak" vm e2e "$REPO/tests/e2e/guard.sh"
		;;
	esac
}
LANES=${HOGUARD_DEBUG_LANES:-A B}
for l in $LANES; do
	case $l in A | B | E) ;; *) echo "HOGUARD_DEBUG_LANES: A, B or E, not '$l'" >&2; exit 2 ;; esac
done
# shellcheck disable=SC2086 # a list of lanes
lanes lane $LANES

echo
echo "=== summary ($(date -u '+%Y-%m-%d %H:%M UTC'), $(cat "$CACHE/debug/kver"))"
steps_summary
