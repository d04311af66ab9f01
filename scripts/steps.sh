# shellcheck shell=bash
# Steps and lanes for scripts/check and tests/debug-kernel/check.sh.
#
# step NAME CMD...: run CMD under a `=== NAME` heading and record
# `ok   NAME (N s)` or `FAIL NAME (exit R, N s)` in results, the latter
# followed by the first lines of its output that say what failed.
# lanes FN ARG...: run `FN ARG` for every ARG side by side, at most
# CHECK_LANES (default nproc) at a time, in the order given; each line of
# its output prefixed `[ARG] `; the steps they ran join results.
# steps_summary: print the results and `P passed, F failed`; fails if any
# step did.

results=()
failed=0

step() {
	local name=$1 start=$SECONDS rc log out tee_pid
	shift
	echo "=== $name"
	log=$(mktemp)
	# the output also into LOG (the command runs in this shell: a step
	# may set variables), so that a failure's own lines reach the summary
	exec {out}> >(tee "$log")
	tee_pid=$!
	"$@" >&"$out" 2>&1
	rc=$?
	exec {out}>&-
	wait "$tee_pid"
	if [ $rc -eq 0 ]; then
		results+=("ok   $name ($((SECONDS - start)) s)")
	else
		results+=("FAIL $name (exit $rc, $((SECONDS - start)) s)")
		failed=$((failed + 1))
		# what failed, for a reader who sees only the summary (CI's tail)
		while IFS= read -r line; do
			results+=("       | $line")
		done < <(grep -a -E '^(FAIL|not ok)|(WARNING|BUG|Oops|KASAN|panic|Call Trace|vmrun:)' "$log" |
			cut -c1-300 | head -n 12)
	fi
	rm -f "$log"
	return $rc
}

# (in a subshell) lane_run FN ARG FILE: FN ARG's steps' results into FILE
lane_run() {
	results=()
	failed=0
	"$1" "$2"
	printf '%s\n' "${results[@]}" >"$3"
}

lanes() {
	local fn=$1 dir=$CACHE/lanes a r lr max=${CHECK_LANES:-$(nproc)} running=0
	shift
	mkdir -p "$dir"
	# At most CHECK_LANES (default: the number of CPUs) lanes at once: a
	# TCG VM keeps one host core busy, and more VMs than cores only slow
	# each other down (and the suites' timing).
	for a in "$@"; do
		if [ "$running" -ge "$max" ]; then
			wait -n
			running=$((running - 1))
		fi
		rm -f "$dir/$a.results"
		(lane_run "$fn" "$a" "$dir/$a.results" 2>&1 | sed -u "s/^/[$a] /") &
		running=$((running + 1))
	done
	wait
	for a in "$@"; do
		if [ -s "$dir/$a.results" ]; then
			mapfile -t lr <"$dir/$a.results"
		else
			lr=("FAIL $a: the lane died")
		fi
		for r in "${lr[@]}"; do
			results+=("$r")
			[[ $r != FAIL* ]] || failed=$((failed + 1))
		done
	done
}

steps_summary() {
	local passed
	printf '%s\n' "${results[@]}"
	passed=$(printf '%s\n' "${results[@]}" | grep -c '^ok ')
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ]
}
