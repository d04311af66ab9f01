# shellcheck shell=bash
# Shared by the shell test suites (e2e, stress, ctl, dkms): result
# bookkeeping and loading the module under test.
#
# Every check prints one line, `ok   N description` or
# `FAIL N description: details` (after T_TAG, e.g. "[6.1] ", when the
# suite sets it); summary prints `P passed, F failed`, then runs the
# suite's summary_more function if it defines one. A failed check is
# recorded and the run goes on; die() is for setup failures, after which
# nothing that follows would mean anything.
# HOGUARD_E2E_TIMING=1 adds each check's time to its line.

T_N=0 T_PASS=0 T_FAIL=0
T_TAG=${T_TAG:-}
T_LAST=${EPOCHREALTIME/./}

t_took() {
	local now=${EPOCHREALTIME/./}
	T_TOOK=
	if [ "${HOGUARD_E2E_TIMING:-0}" = 1 ]; then
		printf -v T_TOOK ' [%d.%02d s]' $(((now - T_LAST) / 1000000)) $(((now - T_LAST) % 1000000 / 10000))
	fi
	T_LAST=$now
}

ok() {
	T_N=$((T_N + 1)) T_PASS=$((T_PASS + 1))
	t_took
	echo "ok   $T_N $T_TAG$1$T_TOOK"
}

fail() {
	T_N=$((T_N + 1)) T_FAIL=$((T_FAIL + 1))
	t_took
	echo "FAIL $T_N $T_TAG$1: $2$T_TOOK"
}

summary() {
	echo "$T_PASS passed, $T_FAIL failed"
	if declare -F summary_more >/dev/null; then
		summary_more
	fi
}

# die MESSAGE: a setup step failed; count it, print the summary, stop.
die() {
	fail "setup" "$1"
	summary
	exit 1
}

# check_eq DESC GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1" "got '$2', want '$3'"
	fi
}

# check_cmd DESC CMD...: the command must succeed (CMD's output
# is shown only when it fails; suites with a log define their own).
check_cmd() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		fail "$desc" "'$*' failed: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# ---------------------------------------------------------------------------
# The module under test: $KO, set by the suite.

loaded() { [ -d /sys/module/hoguard ]; }

# load ARGS...: insmod the module under test (setup: must work).
load() {
	local out
	out=$(insmod "$KO" "$@" 2>&1) || die "insmod $KO $*: $out"
}

unload() {
	local out
	if loaded; then
		out=$(rmmod hoguard 2>&1) || die "rmmod hoguard: $out"
	fi
}
