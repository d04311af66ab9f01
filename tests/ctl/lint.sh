#!/bin/bash
# Static checks of scripts/hoguardctl, run on the build host (fast) before
# tests/ctl/run.sh runs in the VM (slow for a Python parser):
#
#   tests/ctl/lint.sh
#
# pyflakes (package pyflakes3) and py_compile with Debian's python3, the
# interpreter hoguardctl runs with; the man page through groff -ww.
# Output: one line per check, then `P passed, F failed`.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CTL=$REPO/scripts/hoguardctl
PY=/usr/bin/python3
pass=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {
	local desc=$1
	shift
	if "$@" >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
		pass=$((pass + 1))
		echo "ok   $desc"
	else
		failed=$((failed + 1))
		echo "FAIL $desc:"
		sed 's/^/    /' "$tmp/out"
	fi
}

check "pyflakes scripts/hoguardctl" "$PY" -m pyflakes "$CTL"
# The bytecode goes to a scratch directory, not next to the script.
check "py_compile scripts/hoguardctl" \
	env PYTHONPYCACHEPREFIX="$tmp/pyc" "$PY" -m py_compile "$CTL"
check "groff -man -ww scripts/hoguardctl.8" \
	groff -man -ww -z "$REPO/scripts/hoguardctl.8"
version_runs() { "$CTL" --version | grep -qx 'hoguardctl [0-9.]*'; }
check "hoguardctl --version runs" version_runs

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
