#!/bin/bash
# Fuzz hoguard's core (tests/fuzz/fuzz_core.c) with libFuzzer, ASan and UBSan.
#
#   tests/fuzz/run.sh                      what `make fuzz` runs
#
# Environment:
#   FUZZ_SECONDS (60)    fuzz for this long (wall clock)
#   FUZZ_RUNS            instead: until this many executions in all, and fail
#                        if they take longer than FUZZ_MAX_SECONDS (600)
#   FUZZ_JOBS            parallel fuzzer processes (default: CPUs, at most 2)
#   FUZZ_CC (clang-14)   the compiler; installed with apt when missing
#
# Builds tests/fuzz/fuzz_core when its sources changed, then runs the workers
# on a working corpus in $CACHE/fuzz/corpus (seeded from tests/fuzz/corpus,
# kept between runs). Prints the executions run; fails on any crash, leak,
# sanitizer report or harness check, leaving the input in $CACHE/fuzz/ and
# showing how to reproduce it.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HOGUARD_CACHE:-$REPO/.cache}
DIR=$REPO/tests/fuzz
BIN=$DIR/fuzz_core
WORK=$CACHE/fuzz
CC=${FUZZ_CC:-clang-14}
CFLAGS=(-std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-sign-compare
	-Wno-unused-parameter -fno-omit-frame-pointer
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	"-fsanitize-coverage-allowlist=$DIR/coverage.allow")
SOURCES=("$DIR/fuzz_core.c" "$DIR/coverage.allow" "$REPO/hoguard.c"
	"$REPO/hoguard.h" "$REPO/tests/unit/hoguard_user.h")

die() { echo "fuzz: $*" >&2; exit 1; }

# The toolchain: clang and its libFuzzer runtime.
if ! command -v "$CC" >/dev/null ||
	! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || die "$CC and libclang-rt-14-dev are needed (apt-get install clang-14 libclang-rt-14-dev)"
	echo "fuzz: installing clang-14 libclang-rt-14-dev"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null ||
		{ apt-get update -qq && apt-get install -y -q --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null; }
fi

stale=
[ -x "$BIN" ] || stale=1
for f in "${SOURCES[@]}"; do [ "$f" -nt "$BIN" ] && stale=1; done
if [ -n "$stale" ]; then
	"$CC" "${CFLAGS[@]}" -I"$REPO/tests/unit" -o "$BIN" "$DIR/fuzz_core.c" ||
		die "build failed"
fi

jobs=${FUZZ_JOBS:-$(nproc)}
[ "$jobs" -ge 1 ] || jobs=1
[ -n "${FUZZ_JOBS:-}" ] || [ "$jobs" -le 2 ] || jobs=2
mkdir -p "$WORK/corpus"
rm -f "$WORK"/worker-*.log

common=(-dict="$DIR/core.dict" -max_len=1024 -timeout=10 -rss_limit_mb=2048
	-print_final_stats=1 -artifact_prefix="$WORK/")
if [ -n "${FUZZ_RUNS:-}" ]; then
	limit=${FUZZ_MAX_SECONDS:-600}
	per=$(((FUZZ_RUNS + jobs - 1) / jobs))
	mode=(-runs="$per" -max_total_time="$limit")
	echo "fuzz: $FUZZ_RUNS executions in $jobs worker(s), at most $limit s"
else
	mode=(-max_total_time="${FUZZ_SECONDS:-60}")
	echo "fuzz: ${FUZZ_SECONDS:-60} s in $jobs worker(s)"
fi

start=$(date +%s.%N)
pids=()
for ((i = 0; i < jobs; i++)); do
	"$BIN" "${common[@]}" "${mode[@]}" -seed=$((i + 1)) \
		"$WORK/corpus" "$DIR/corpus" >"$WORK/worker-$i.log" 2>&1 &
	pids+=($!)
done
failed=0
for ((i = 0; i < jobs; i++)); do
	wait "${pids[$i]}" || failed=$((failed + 1))
done
elapsed=$(echo "$(date +%s.%N) - $start" | bc)

total=0
for ((i = 0; i < jobs; i++)); do
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/worker-$i.log" | tail -n 1)
	total=$((total + ${n:-0}))
done
rate=$(echo "$total / $elapsed" | bc)
corpus=$(find "$WORK/corpus" -type f | wc -l)
printf 'fuzz: %d executions in %.0f s (%d exec/s, %d worker(s)); corpus %d inputs\n' \
	"$total" "$elapsed" "$rate" "$jobs" "$corpus"

if [ "$failed" -gt 0 ]; then
	for ((i = 0; i < jobs; i++)); do
		grep -q -E 'ERROR: |SUMMARY: |fuzz_core: ' "$WORK/worker-$i.log" || continue
		echo "fuzz: worker $i found a problem:"
		grep -v '^#[0-9]' "$WORK/worker-$i.log" | grep -v '^INFO' | tail -n 40 | sed 's/^/    /'
	done
	echo "fuzz: FAIL: reproduce with: $BIN INPUT (the crash-*/leak-* file named above)"
	exit 1
fi
if [ -n "${FUZZ_RUNS:-}" ] && [ "$total" -lt "$FUZZ_RUNS" ]; then
	die "FAIL: only $total of $FUZZ_RUNS executions within ${FUZZ_MAX_SECONDS:-600} s"
fi
echo "fuzz: no crash, leak or sanitizer report"
