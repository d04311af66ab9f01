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

# hoguard.service: systemd's own verification, in a root where the
# command it runs exists (the man page is checked in the .deb's VM test);
# and its order: before the network and the hypervisors' services.
unit_verifies() {
	local root=$tmp/unitroot
	install -D -m 0755 "$CTL" "$root/usr/sbin/hoguardctl" &&
		install -D -m 0644 "$REPO/scripts/hoguard.service" \
			"$root/lib/systemd/system/hoguard.service" &&
		systemd-analyze verify --root="$root" --man=no \
			/lib/systemd/system/hoguard.service
}
check "systemd-analyze verify scripts/hoguard.service" unit_verifies
unit_order() {
	local u=$REPO/scripts/hoguard.service s
	for s in network-pre.target vboxdrv.service vmware.service libvirtd.service \
		virtnetworkd.service; do
		grep -q "^Before=.*\b$s\b" "$u" || echo "not Before=$s"
	done
	grep -qx 'ExecStart=/usr/sbin/hoguardctl fallback boot' "$u" || echo "ExecStart"
	grep -qx 'DefaultDependencies=no' "$u" || echo "DefaultDependencies"
}
check "hoguard.service runs fallback boot before network-pre and the hypervisors" unit_order

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
