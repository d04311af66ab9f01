# shellcheck shell=bash
# Sourced by tests/stress/run.sh and tests/debug-kernel/check.sh: run the
# VMs on qemu 10 with multi-threaded TCG (their two vCPUs on two host
# threads at once) where there is one: the system's, or the one
# `scripts/setup qemu10` unpacked into $CACHE/qemu10. Sets QEMU_VERSION
# (major) and exports VMRUN_TCG (kept when set) and, for the unpacked one,
# VMRUN_QEMU, VMRUN_QEMU_DATA and QEMU_MODULE_DIR.
qemu10_use() {
	local root=$CACHE/qemu10/root
	if [ -z "${VMRUN_QEMU:-}" ] && [ -x "$root/usr/bin/qemu-system-x86_64" ]; then
		export VMRUN_QEMU=$root/usr/bin/qemu-system-x86_64
		export VMRUN_QEMU_DATA=$root/usr/share/qemu
		export QEMU_MODULE_DIR=$root/usr/lib/x86_64-linux-gnu/qemu
	fi
	QEMU_VERSION=$("${VMRUN_QEMU:-qemu-system-x86_64}" --version |
		sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
	if [ -z "${VMRUN_TCG:-}" ]; then
		if [ "${QEMU_VERSION:-0}" -ge 10 ]; then VMRUN_TCG=multi; else VMRUN_TCG=single; fi
	fi
	export VMRUN_TCG
}
