#!/bin/bash
# The install tests, run as root inside a test VM by tests/dkms/run.sh:
#
#   scripts/vmrun SERIES tests/dkms/in-vm.sh SERIES OTHER_SERIES PARTS
#
# SERIES is the running kernel's series, OTHER_SERIES the second installed
# kernel, PARTS a comma-separated list of:
#   dkms  `make dkms-install` (dkms add, build -k, install -k) for the
#         running kernel; the second kernel by DKMS's own header_postinst
#         hook, as when its headers package is installed; dkms status, module
#         placement, modinfo, signing; BUILD_EXCLUSIVE refuses a kernel
#         without CONFIG_NETFILTER; then the boot-time load (below); then
#         `make dkms-remove` + `make config-remove` leave nothing behind;
#         then `make install` / `make uninstall` (no DKMS), likewise.
#   deb   `apt-get install ./hoguard-dkms_*.deb ./hoguard-tools_*.deb`
#         (HOGUARD_DKMS_DEB, HOGUARD_TOOLS_DEB, built on the host by
#         `make deb`) builds and installs through DKMS; hoguardctl, its man
#         page, hoguard.service (enabled, verified by systemd-analyze) and
#         the udev rule in place; the boot-time load; `apt-get purge`
#         leaves nothing behind.
# Boot-time load: `make config-install`, modules-load.d read as systemd
# does, parameters read back from sysfs, a forwarded leak dropped and
# counted exactly, and let through once the module is gone.
#
# The VM's root is a throw-away overlay of the host's: nothing done here
# reaches the host. One line per check (`ok   N [SERIES] ...` or
# `FAIL N [SERIES] ...: why`), then `P passed, F failed`; exit 1 on failure.
#
#   in-vm.sh --plan PARTS   prints how many checks PARTS make (the plan
#                           this script declares; run.sh adds them up)
set -u

# The checks each part makes, whatever passes (boot_load's 18 included).
declare -A PART_PLAN=([dkms]=60 [deb]=37)
if [ "${1:-}" = --plan ]; then
	n=0
	for p in ${2//,/ }; do n=$((n + PART_PLAN[$p])); done
	echo "$n"
	exit 0
fi

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HOGUARD_CACHE:-$REPO/.cache}
DEB=${HOGUARD_DKMS_DEB:-}
TOOLS_DEB=${HOGUARD_TOOLS_DEB:-}
usage="usage: in-vm.sh SERIES OTHER_SERIES dkms|deb|dkms,deb"
SERIES=${1:?$usage}
OTHER=${2:?$usage}
PARTS=,${3:?$usage},
NAME=hoguard
PARAMS=/sys/module/$NAME/parameters
# Every parameter the module has; each must carry a description.
ALL_PARAMS="hostonly subnets learn inbound log monitor guarded drops_forward
drops_inbound drops_postrouting reset_counters"
LOG=/tmp/dkms-test.log   # commands' output; shown when a check failed

T_TAG="[$SERIES] "
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$REPO/tests/lib/common.sh"
summary_more() {
	if [ "$T_FAIL" -ne 0 ]; then
		echo "--- command output ($LOG):"
		cat "$LOG"
	fi
}
# check_cmd DESC CMD...: CMD must succeed. Its output goes to $LOG and, on
# failure, its last lines into the report; slow ones show their time.
check_cmd() {
	local desc=$1 rc t0=$SECONDS
	shift
	echo "### $*" >>"$LOG"
	"$@" >"$LOG.cmd" 2>&1
	rc=$?
	cat "$LOG.cmd" >>"$LOG"
	[ $((SECONDS - t0)) -lt 5 ] || desc+=" ($((SECONDS - t0)) s)"
	if [ $rc -eq 0 ]; then
		ok "$desc"
	else
		fail "$desc" "'$*' exited $rc: $(tail -n 5 "$LOG.cmd" | tr '\n' ' ')"
	fi
	return $rc
}

KVER=$(cat "$CACHE/$SERIES/kver") || die "no $CACHE/$SERIES/kver"
OKVER=$(cat "$CACHE/$OTHER/kver") || die "no $CACHE/$OTHER/kver"
[ "$(uname -r)" = "$KVER" ] || die "running $(uname -r), expected $KVER"
VERSION=$("$REPO/scripts/version") || die "scripts/version failed"
ARCH=$(uname -m)
: >"$LOG"

# ---------------------------------------------------------------------------
# The machine as a Debian host with both kernels and their headers installed.
#
# udev makes /dev/fd and /dev/std* on a real system; vm-init's bare devtmpfs
# lacks them, and without /dev/fd bash's <(...) fails (dkms relies on it).
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for i in 0:stdin 1:stdout 2:stderr; do
	[ -e "/dev/${i#*:}" ] || ln -s "/proc/self/fd/${i%%:*}" "/dev/${i#*:}"
done

# Module trees. Each install and removal runs depmod over the kernel's whole
# tree, which under TCG takes minutes for the 6.12 one (4000 .ko.xz read over
# 9p and decompressed). So each kernel gets a tree in tmpfs with the real
# one's index files, the only module this test loads (veth, with its
# dependencies) and a build link to the unpacked headers (the image's points
# to /usr/src/linux-headers-KVER): DKMS, depmod and modprobe work on it as on
# the full tree; it is only smaller. The running kernel's replaces the full
# tree vm-init bound on /lib/modules/KVER.
# trim_tree KVER SERIES
trim_tree() {
	local kv=$1 s=$2 root dst=/tmp/modules/$1 m rel
	root=$(realpath "$CACHE/$s/root") || return 1
	mkdir -p "$dst" || return 1
	cp "$root/lib/modules/$kv"/modules.{order,builtin,builtin.modinfo} "$dst/" || return 1
	for m in $(modprobe -d "$root" -S "$kv" --show-depends veth |
		awk '$1 == "insmod" { print $2 }'); do
		rel=${m#"$root/lib/modules/$kv/"}
		mkdir -p "$dst/$(dirname "$rel")" && cp "$m" "$dst/$rel" || return 1
	done
	# (Headers at their own place in this userland, as in the sid chroot:
	# those, as Debian links them. 7.x's Makefile names its own directory
	# and builds elsewhere when reached by another path.)
	if [ -e "/usr/src/linux-headers-$kv/Makefile" ]; then
		ln -s "/usr/src/linux-headers-$kv" "$dst/build"
	else
		ln -s "$CACHE/$s/build" "$dst/build"
	fi &&
		mkdir -p "/lib/modules/$kv" &&
		mount --bind "$dst" "/lib/modules/$kv" &&
		depmod -a "$kv"
}
trim_tree "$KVER" "$SERIES" || die "cannot set up /lib/modules/$KVER"
trim_tree "$OKVER" "$OTHER" || die "cannot set up /lib/modules/$OKVER"

# The module's file name in a kernel's tree: compressed as its own are.
ko_name() {
	if grep -q '^CONFIG_MODULE_COMPRESS_XZ=y' "/lib/modules/$1/build/.config"; then
		echo "$NAME.ko.xz"
	else
		echo "$NAME.ko"
	fi
}
KO=/lib/modules/$KVER/updates/dkms/$(ko_name "$KVER")
OKO=/lib/modules/$OKVER/updates/dkms/$(ko_name "$OKVER")

# What an install may leave behind, one path a line with its type. DKMS's
# own signing key (mok.key/mok.pub, made on its first build and used for
# every DKMS module) is DKMS's state, not hoguard's, and is left out.
snapshot() {
	find /usr/src /var/lib/dkms /lib/modules/*/updates /lib/modules/*/extra \
		/etc/modprobe.d /etc/modules-load.d /usr/sbin/hoguardctl \
		/usr/share/man/man8/hoguardctl.8 /usr/share/doc/hoguard-dkms \
		/usr/share/doc/hoguard-tools /lib/systemd/system/hoguard.service \
		/etc/systemd/system /lib/udev/rules.d/60-hoguard.rules /usr/local \
		/var/lib/dpkg/info/hoguard-dkms.* /var/lib/dpkg/info/hoguard-tools.* \
		-printf '%y %p\n' 2>/dev/null |
		grep -v -E '^f /var/lib/dkms/mok\.(key|pub)$' | sort
}
BEFORE=$(snapshot)

# check_clean DESC: the snapshot is as before anything was installed, and
# no hoguard* file is anywhere it could have gone.
check_clean() {
	local desc=$1 now left
	now=$(snapshot)
	if [ "$now" = "$BEFORE" ]; then
		ok "$desc: files as before in /usr/src /var/lib/dkms /lib/modules/*/{updates,extra} /etc/modprobe.d /etc/modules-load.d"
	else
		fail "$desc: files as before" \
			"$(diff <(echo "$BEFORE") <(echo "$now") | grep '^[<>]' | tr '\n' ' ')"
	fi
	left=$(find /usr/src /var/lib/dkms /lib/modules/ /etc /usr/sbin /usr/share/doc \
		/usr/share/man/man8 /usr/local /lib/systemd/system /lib/udev/rules.d \
		-name "*$NAME*" 2>/dev/null
		grep -l "$NAME" /lib/modules/"$KVER"/modules.dep /lib/modules/"$OKVER"/modules.dep 2>/dev/null)
	check_eq "$desc: no *$NAME* in /usr/src /var/lib/dkms /lib/modules /etc /usr/sbin /usr/share/{doc,man/man8} /usr/local /lib/{systemd/system,udev/rules.d}, none in modules.dep" \
		"$left" ""
}

# check_modinfo DESC FILE KVER: version, vermagic, every parameter described.
check_modinfo() {
	local desc=$1 f=$2 kv=$3 p line missing=""
	check_eq "$desc: modinfo version" "$(modinfo -F version "$f" 2>&1)" "$VERSION"
	check_eq "$desc: modinfo vermagic is $kv" "$(modinfo -F vermagic "$f" 2>&1 | cut -d' ' -f1)" "$kv"
	for p in $ALL_PARAMS; do
		line=$(modinfo -p "$f" 2>/dev/null | grep "^$p:")
		line=${line#"$p":}
		line=${line% (*)}
		[ -n "$line" ] || missing+=" $p"
	done
	check_eq "$desc: modinfo describes all $(echo "$ALL_PARAMS" | wc -w) parameters (missing:)" \
		"${missing# }" ""
	# Parameters the module has beyond the list above must be described too.
	missing=$(modinfo -p "$f" 2>&1 | awk -F: '{ d = $0; sub(/^[^:]*:/, "", d); sub(/ \([^)]*\)$/, "", d); if (d == "") print $1 }')
	check_eq "$desc: no undescribed parameter" "$missing" ""
}

# dkms_line KVER: hoguard's `dkms status` line for that kernel.
dkms_line() {
	dkms status -m "$NAME" -k "$1" 2>>"$LOG" | grep "^$NAME/"
}

# check_dkms_installed KVER KO: DKMS installed it there, depmod indexed it.
check_dkms_installed() {
	check_eq "dkms status: installed for $1" "$(dkms_line "$1")" \
		"$NAME/$VERSION, $1, $ARCH: installed"
	check_eq "the module is at DEST_MODULE_LOCATION: $2" "$(ls "$2" 2>&1)" "$2"
	check_eq "depmod indexed it: modinfo -k $1 -n $NAME" "$(modinfo -k "$1" -n "$NAME" 2>&1)" "$2"
}

# ---------------------------------------------------------------------------
# Boot-time load with the persistent configuration (both parts).

# systemd-modules-load does not run in this VM: do what it does at boot.
# It reads *.conf from these directories (a name in an earlier one hides
# the same name in a later one), in name order, skips blank lines and
# those starting with # or ;, and loads each module with libkmod, applying
# modprobe.d: `modprobe NAME`.
modules_load_d() {
	local d f name line rc=0
	declare -A seen=()
	for d in /etc/modules-load.d /run/modules-load.d /usr/local/lib/modules-load.d \
		/usr/lib/modules-load.d /lib/modules-load.d; do
		for f in "$d"/*.conf; do
			[ -e "$f" ] || continue
			name=${f##*/}
			[ -n "${seen[$name]:-}" ] || seen[$name]=$f
		done
	done
	for name in $(printf '%s\n' "${!seen[@]}" | sort); do
		while read -r line; do
			case $line in "" | "#"* | ";"*) continue ;; esac
			echo "modules-load.d: ${seen[$name]}: modprobe $line"
			modprobe "$line" || rc=1
		done <"${seen[$name]}"
	done
	return $rc
}

# The leak: guest netns (host-only side) -veth- vmnet1 | this host |
# eth-out -veth- outside netns, forwarding on.
leak_topology() {
	ip netns add hg-guest && ip netns add hg-out &&
	ip link add vmnet1 type veth peer name eth0 netns hg-guest &&
	ip link add eth-out type veth peer name eth0 netns hg-out &&
	ip addr add 192.0.2.1/24 dev vmnet1 && ip link set vmnet1 up &&
	ip addr add 198.51.100.1/24 dev eth-out && ip link set eth-out up &&
	ip -n hg-guest addr add 192.0.2.2/24 dev eth0 &&
	ip -n hg-guest link set eth0 up && ip -n hg-guest link set lo up &&
	ip -n hg-guest route add default via 192.0.2.1 &&
	ip -n hg-out addr add 198.51.100.2/24 dev eth0 &&
	ip -n hg-out link set eth0 up && ip -n hg-out link set lo up &&
	ip -n hg-out route add default via 198.51.100.1 &&
	sysctl -q -w net.ipv4.ip_forward=1
}
# gping COUNT DEST TIMEOUT: from the guest; succeeds if a reply came.
gping() { ip netns exec hg-guest ping -n -q -c "$1" -i 0.2 -W "$3" "$2" >/dev/null 2>&1; }
# reach DEST: a reply comes (three tries: the VM can be slow).
reach() { gping 1 "$1" 3 || gping 1 "$1" 3 || gping 1 "$1" 3; }

# boot_load KO: the module DKMS installed at KO loads the boot-time way.
boot_load() {
	local ko=$1 d0 p0 bad
	# HOSTONLY and SUBNETS are checked before anything is written: a typo
	# must not make the boot-time load fail.
	for bad in "HOSTONLY=vm/net1" "SUBNETS=192.0.2.0/33" "SUBNETS=192.0.2.1/024"; do
		if make -C "$REPO" -s config-install "$bad" >>"$LOG" 2>&1; then
			fail "make config-install $bad refused" "it succeeded"
		else
			check_eq "make config-install $bad refused, nothing written" \
				"$(ls /etc/modprobe.d/hoguard.conf /etc/modules-load.d/hoguard.conf 2>/dev/null)" ""
		fi
	done
	# subnets: a prefix the test networks do not use. Listed prefixes are
	# guarded in every network namespace, the guest's too, where its own
	# address would then be "leaving" through its eth0; vmnet1's
	# 192.0.2.0/24 is learned from the address on it (learn=Y), here only.
	check_cmd "make config-install HOSTONLY=vmnet1 SUBNETS=203.0.113.0/24" \
		make -C "$REPO" -s config-install HOSTONLY=vmnet1 SUBNETS=203.0.113.0/24
	check_eq "/etc/modprobe.d/hoguard.conf options line" \
		"$(grep -v '^#' /etc/modprobe.d/hoguard.conf 2>&1)" \
		"options hoguard hostonly=vmnet1 subnets=203.0.113.0/24"
	check_eq "/etc/modules-load.d/hoguard.conf is the example" \
		"$(cmp /etc/modules-load.d/hoguard.conf "$REPO/scripts/hoguard-modules-load.conf" 2>&1 &&
			echo same)" same
	check_cmd "boot: modules-load.d as systemd-modules-load reads it (modprobe, no path)" \
		modules_load_d
	check_eq "hoguard loaded, version $VERSION" "$(cat /sys/module/$NAME/version 2>&1)" "$VERSION"
	check_eq "... the DKMS build (srcversion)" "$(cat /sys/module/$NAME/srcversion 2>&1)" \
		"$(modinfo -F srcversion "$ko" 2>&1)"
	check_eq "hostonly from modprobe.d" "$(cat $PARAMS/hostonly 2>&1)" vmnet1
	check_eq "subnets from modprobe.d" "$(cat $PARAMS/subnets 2>&1)" 203.0.113.0/24

	check_cmd "leak topology: guest netns -veth- vmnet1 | eth-out -veth- outside netns" \
		leak_topology
	check_cmd "guest -> host on vmnet1 (192.0.2.1) still works" reach 192.0.2.1
	d0=$(cat $PARAMS/drops_forward)
	p0=$(cat $PARAMS/drops_postrouting)
	if gping 3 198.51.100.2 1; then
		fail "guest -> outside (198.51.100.2): 3 pings dropped" "a reply came: the guard leaks"
	else
		ok "guest -> outside (198.51.100.2): 3 pings dropped"
	fi
	check_eq "drops_forward rose by exactly 3 (drops_postrouting by 0)" \
		"$(($(cat $PARAMS/drops_forward) - d0)) $(($(cat $PARAMS/drops_postrouting) - p0))" "3 0"
	check_cmd "rmmod hoguard" rmmod "$NAME"
	check_cmd "control: without hoguard the same ping leaks" reach 198.51.100.2
	ip netns del hg-guest
	ip netns del hg-out
	ip link del eth-out 2>/dev/null
	check_cmd "make config-remove" make -C "$REPO" -s config-remove
}

# ---------------------------------------------------------------------------
part_dkms() {
	local fake=0.0.0-nonetfilter out rc src xko

	check_cmd "make dkms-install (dkms add, build -k $KVER, install -k $KVER)" \
		make -C "$REPO" -s dkms-install
	# names_in DIR: the files DIR holds, sorted, on one line.
	names_in() { find "$1" -mindepth 1 -printf '%f\n' 2>/dev/null | sort | tr '\n' ' '; }
	check_eq "/usr/src/$NAME-$VERSION holds the sources and dkms.conf" \
		"$(names_in "/usr/src/$NAME-$VERSION")" \
		"$(cd "$REPO" && printf '%s\n' Kbuild dkms.conf ./*.c ./*.h | sed 's|^\./||' |
			grep -v '\.mod\.c$' | sort | tr '\n' ' ')"
	check_eq "dkms.conf there has PACKAGE_VERSION from hoguard.h" \
		"$(grep '^PACKAGE_VERSION=' "/usr/src/$NAME-$VERSION/dkms.conf")" \
		"PACKAGE_VERSION=\"$VERSION\""
	check_dkms_installed "$KVER" "$KO"
	check_modinfo "$KVER" "$KO" "$KVER"
	check_eq "signed with DKMS's MOK key (Secure Boot)" "$(modinfo -F signer "$KO" 2>&1)" \
		"DKMS module signing key"
	check_eq "/usr/local/sbin/hoguardctl installed" \
		"$(cmp /usr/local/sbin/hoguardctl "$REPO/scripts/hoguardctl" 2>&1 && echo same)" same
	# (Debian's /usr/local/man is a link to /usr/local/share/man.)
	check_eq "man page hoguardctl(8) installed" "$(readlink -f "$(man -w hoguardctl 2>&1)")" \
		/usr/local/share/man/man8/hoguardctl.8

	# A second kernel's headers arrive: Debian's linux-headers postinst
	# runs this (DKMS's hook there runs `dkms autoinstall`).
	check_cmd "headers of $OKVER installed: run-parts /etc/kernel/header_postinst.d (no hoguard command)" \
		run-parts --report --exit-on-error --arg="$OKVER" /etc/kernel/header_postinst.d
	check_dkms_installed "$OKVER" "$OKO"
	check_modinfo "$OKVER" "$OKO" "$OKVER"
	check_eq "dkms status: installed for both kernels" \
		"$(dkms status -m "$NAME" 2>>"$LOG" | grep -c ': installed$')" 2

	# BUILD_EXCLUSIVE_CONFIG: a kernel configured without netfilter.
	mkdir -p "/lib/modules/$fake/build/include"
	grep -v '^CONFIG_NETFILTER=' "/lib/modules/$KVER/build/.config" \
		>"/lib/modules/$fake/build/.config"
	out=$(dkms build -m "$NAME" -v "$VERSION" -k "$fake" 2>&1)
	rc=$?
	echo "$out" >>"$LOG"
	check_eq "dkms build -k $fake (no CONFIG_NETFILTER) refused: exit 77" "$rc" 77
	# (dkms 3.2 wraps the message at other places than 3.0: one line.)
	out=$(tr -s '\n ' '  ' <<<"$out")
	if grep -q 'BUILD_EXCLUSIVE directive which does not match this kernel' <<<"$out"; then
		ok "... saying: $(grep -o 'includes a BUILD_EXCLUSIVE directive which does not match this kernel[^.]*' <<<"$out" | head -n1)"
	else
		fail "... with the BUILD_EXCLUSIVE message" "$(echo "$out" | tr '\n' ' ')"
	fi
	rm -rf "/lib/modules/$fake"

	# BUILD_EXCLUSIVE_KERNEL(_MIN): a kernel older than 5.10, configured as
	# this one is.
	fake=5.4.0-tooold
	mkdir -p "/lib/modules/$fake/build/include"
	cp "/lib/modules/$KVER/build/.config" "/lib/modules/$fake/build/.config"
	out=$(dkms build -m "$NAME" -v "$VERSION" -k "$fake" 2>&1)
	rc=$?
	echo "$out" >>"$LOG"
	check_eq "dkms build -k $fake (older than 5.10) refused: exit 77" "$rc" 77
	rm -rf "/lib/modules/$fake"

	boot_load "$KO"

	check_cmd "make dkms-remove" make -C "$REPO" -s dkms-remove
	check_eq "dkms status: nothing of hoguard" "$(dkms status -m "$NAME" 2>&1)" ""
	check_clean "after dkms-remove + config-remove"

	# make install / uninstall, no DKMS: run.sh copied the tree (what git
	# tracks plus new files it does not ignore) and ran `make` there against
	# these headers, as a user's `make && sudo make install` would.
	src=$CACHE/dkms-test/src-$SERIES
	xko=/lib/modules/$KVER/extra/$(ko_name "$KVER")
	if [ ! -e "$src/hoguard.ko" ]; then
		fail "make install" "$src/hoguard.ko: not built by run.sh"
		return
	fi
	# Something of the operator's under /usr/local, which uninstall must keep.
	local before0=$BEFORE made=
	[ -d /usr/local/lib/systemd ] || made=/usr/local/lib/systemd
	mkdir -p /usr/local/lib/systemd/system
	echo keep >/usr/local/lib/systemd/system/other.service
	BEFORE=$(snapshot)
	check_cmd "make install (no DKMS; built by make beforehand)" make -C "$src" -s install
	check_eq "the module is at $xko" "$(ls "$xko" 2>&1)" "$xko"
	check_eq "depmod indexed it: modinfo -n $NAME" "$(modinfo -n "$NAME" 2>&1)" "$xko"
	check_eq "make install: modinfo version" "$(modinfo -F version "$NAME" 2>&1)" "$VERSION"
	check_eq "make install: /usr/local/sbin/hoguardctl installed" \
		"$(cmp /usr/local/sbin/hoguardctl "$src/scripts/hoguardctl" 2>&1 && echo same)" same
	check_eq "make install: hoguard.service under /usr/local runs /usr/local/sbin/hoguardctl" \
		"$(grep '^ExecStart=' /usr/local/lib/systemd/system/hoguard.service 2>&1)" \
		"ExecStart=/usr/local/sbin/hoguardctl fallback boot"
	check_eq "make install: the list uninstall reads" \
		"$(awk '$1 == "f" { print $3 }' /usr/local/share/hoguard/installed 2>&1 | paste -sd' ')" \
		"/usr/local/sbin/hoguardctl /usr/local/share/man/man8/hoguardctl.8 /usr/local/lib/systemd/system/hoguard.service"
	check_cmd "modprobe hoguard hostonly=vmnet1 (make install's module)" \
		modprobe "$NAME" hostonly=vmnet1
	check_eq "loaded: hostonly" "$(cat $PARAMS/hostonly 2>&1)" vmnet1
	check_cmd "rmmod hoguard" rmmod "$NAME"
	check_cmd "make uninstall" make -C "$src" -s uninstall
	check_clean "after make uninstall (the operator's other.service kept)"
	rm -f /usr/local/lib/systemd/system/other.service
	[ -z "$made" ] || rm -r "$made"
	BEFORE=$before0
}

part_deb() {
	local st
	if [ -z "$DEB" ] || [ ! -s "$DEB" ]; then
		fail "hoguard-dkms .deb" "HOGUARD_DKMS_DEB='$DEB' is not a file (make deb)"
		return
	fi
	# No network in the VM: apt resolves from the local files and the
	# installed dkms alone.
	check_cmd "apt-get install ./$(basename "$DEB") ./$(basename "$TOOLS_DEB") (builds through DKMS)" \
		env DEBIAN_FRONTEND=noninteractive apt-get install -y "$DEB" "$TOOLS_DEB"
	check_eq "dpkg: hoguard-dkms and hoguard-tools installed" \
		"$(dpkg-query -W -f='${db:Status-Abbrev}${Version} ' hoguard-dkms hoguard-tools 2>&1)" \
		"ii $VERSION ii $VERSION "
	check_eq "hoguard-tools: /usr/sbin/hoguardctl runs" "$(hoguardctl --version 2>&1)" \
		"hoguardctl $VERSION"
	check_eq "hoguard-tools: man -w hoguardctl" "$(man -w hoguardctl 2>&1)" \
		/usr/share/man/man8/hoguardctl.8.gz
	check_cmd "hoguard-tools: systemd-analyze verify hoguard.service" \
		systemd-analyze verify /lib/systemd/system/hoguard.service
	check_eq "hoguard-tools: hoguard.service enabled (sysinit.target.wants)" \
		"$(readlink /etc/systemd/system/sysinit.target.wants/hoguard.service 2>&1)" \
		/lib/systemd/system/hoguard.service
	check_eq "hoguard-tools: the udev rule" \
		"$(grep -c 'KERNEL=="hoguard".*fallback remove' /lib/udev/rules.d/60-hoguard.rules 2>&1)" 1
	check_dkms_installed "$KVER" "$KO"
	check_modinfo "$KVER" "$KO" "$KVER"

	boot_load "$KO"

	check_cmd "apt-get purge hoguard-dkms hoguard-tools" \
		env DEBIAN_FRONTEND=noninteractive apt-get purge -y hoguard-dkms hoguard-tools
	# (dpkg-query forgets a purged package: no line, "not-installed" here.)
	st=$(for p in hoguard-dkms hoguard-tools; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
		echo "${st:-not-installed}"
	done | paste -sd' ')
	check_eq "dpkg: both purged" "$st" "not-installed not-installed"
	check_eq "dkms status: nothing of hoguard" "$(dkms status -m "$NAME" 2>&1)" ""
	check_clean "after apt-get purge"
}

n=0
for p in dkms deb; do
	[[ $PARTS != *,$p,* ]] || n=$((n + PART_PLAN[$p]))
done
plan "$n"
if [[ $PARTS == *,dkms,* ]]; then
	part dkms "${PART_PLAN[dkms]}"
	part_dkms
fi
if [[ $PARTS == *,deb,* ]]; then
	part deb "${PART_PLAN[deb]}"
	part_deb
fi
summary
[ "$T_FAIL" -eq 0 ]
