# shellcheck shell=bash
# Shared by the shell test suites (e2e, stress, ctl, dkms): result
# bookkeeping and loading the module under test.
#
# A suite declares up front how many checks it will run, as TAP does:
# `plan N` prints `1..N`. Every check prints one line, `ok   N description`
# or `FAIL N description: details` (after T_TAG, e.g. "[6.1] ", when the
# suite sets it); a check that cannot run here is `skip DESC REASON`
# (`ok   N description # SKIP reason`), counted like any other. A suite
# made of parts may also declare each part's count (`part NAME N`): a part
# that ran another number of checks is named when it ends. summary prints
# `P passed, F failed` (`, S skipped` when some were), then runs the
# suite's summary_more function if it defines one; a run whose count of
# checks differs from its plan (or that declared none) fails there, with
# a `FAIL plan: ...` line: a suite that silently ran less is not green.
# A failed check is recorded and the run goes on; die() is for setup
# failures, after which nothing that follows would mean anything.
# HOGUARD_E2E_TIMING=1 adds each check's time to its line.

T_N=0 T_PASS=0 T_FAIL=0 T_SKIP=0
T_PLAN='' T_PART='' T_PART_WANT=0 T_PART_FROM=0 T_PLAN_BAD=''
T_TAG=${T_TAG:-}
T_LAST=${EPOCHREALTIME/./}

# plan N: the suite will run N checks.
plan() {
	T_PLAN=$1
	echo "1..$1"
}

# part NAME N: the checks from here to the next part (or the summary) are
# NAME's, N of them.
part() {
	part_end
	T_PART=$1 T_PART_WANT=$2 T_PART_FROM=$T_N
}

part_end() {
	[ -n "$T_PART" ] || return 0
	local ran=$((T_N - T_PART_FROM))
	if [ "$ran" != "$T_PART_WANT" ]; then
		echo "# plan: $T_TAG$T_PART ran $ran checks, $T_PART_WANT planned"
		T_PLAN_BAD+="$T_PART: $ran of $T_PART_WANT; "
	fi
	T_PART=
}

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

# skip DESC REASON: a check that is not run here, and why.
skip() {
	T_N=$((T_N + 1)) T_SKIP=$((T_SKIP + 1))
	t_took
	echo "ok   $T_N $T_TAG$1 # SKIP $2$T_TOOK"
}

summary() {
	part_end
	if [ -z "$T_PLAN" ]; then
		echo "FAIL plan: ${T_TAG}no plan was declared; $T_N checks ran"
		T_FAIL=$((T_FAIL + 1))
	elif [ "$T_N" != "$T_PLAN" ] || [ -n "$T_PLAN_BAD" ]; then
		echo "FAIL plan: $T_TAG$T_N checks ran, $T_PLAN planned${T_PLAN_BAD:+ (${T_PLAN_BAD%; })}"
		T_FAIL=$((T_FAIL + 1))
	fi
	if [ "$T_SKIP" -gt 0 ]; then
		echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	else
		echo "$T_PASS passed, $T_FAIL failed"
	fi
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
