#!/bin/bash
# Install tests: DKMS, make install, persistent configuration, the Debian
# package. Run by scripts/check (as root: it boots VMs).
#
#   tests/dkms/run.sh [SERIES...]     6.1, 6.12, 7.2 (default: 6.1 6.12)
#
# On the host: the version check, `make deb`, then `dpkg-deb -c` and lintian
# on the package. Then, per SERIES, one VM running that kernel runs
# tests/dkms/in-vm.sh, with a second kernel DKMS must pick up (6.1 and 6.12
# each other's, 7.2 7.3-rc). Every install happens inside the VMs, whose
# root is a throw-away overlay of this machine's (for 7.2: of the sid chroot
# scripts/setup made, with dkms in it): this machine's /usr/src,
# /var/lib/dkms, /lib/modules and /etc are never touched.
#
# One line per check; the last line is `N passed, M failed` over the host's
# checks and every VM's; the exit status is non-zero if any failed.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HOGUARD_CACHE:-$REPO/.cache}
cd "$REPO" || exit 1
[ $# -gt 0 ] || set -- 6.1 6.12
ALL_SERIES=(6.1 6.12 7.2)
for s in "$@"; do
	case " ${ALL_SERIES[*]} " in
	*" $s "*) ;;
	*) echo "run.sh: unknown series '$s' (${ALL_SERIES[*]})" >&2; exit 2 ;;
	esac
done

T_TAG="[host] "
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$REPO/tests/lib/common.sh"

# parts_of SERIES ALL_GIVEN...: what SERIES's VM does. The host's userland:
# with 6.1 and 6.12 both given, 6.1's VM installs the .deb and 6.12's does
# the DKMS part; alone, one does both. 7.2's VM (sid's userland) does the
# DKMS part, both alone: under TCG each DKMS build of 7.2 takes minutes and
# the .deb's adds two more (35 minutes for both parts at load 8 on 2 cores).
parts_of() {
	local s=$1
	shift
	if [ "$s" = 7.2 ] && [ $# -gt 1 ]; then
		echo dkms
	elif [ "$s" = 7.2 ] || [ $# -eq 1 ] ||
	   { [ "$s" = 6.1 ] && [[ " $* " != *" 6.12 "* ]]; } ||
	   { [ "$s" = 6.12 ] && [[ " $* " != *" 6.1 "* ]]; }; then
		echo dkms,deb
	elif [ "$s" = 6.1 ]; then
		echo deb
	else
		echo dkms
	fi
}

# The plan: 10 checks here, one build per VM doing the DKMS part, and each
# VM's own (in-vm.sh --plan).
n=10
for s in "$@"; do
	p=$(parts_of "$s" "$@")
	[[ $p != *dkms* ]] || n=$((n + 1))
	n=$((n + $(tests/dkms/in-vm.sh --plan "$p")))
done
plan "$n"

# ---------------------------------------------------------------------------
# Host: version, package build and inspection.
if out=$(scripts/version --check 2>&1); then
	ok "$out"
else
	fail "one version: hoguard.h, debian/changelog, dkms.conf" "$(echo "$out" | tr '\n' ' ')"
fi
version=$(scripts/version)

start=$SECONDS
mkdir -p "$CACHE/dkms-test"
debs=$(make -s deb 2>"$CACHE/dkms-test/deb-build.log")
deb=$(sed -n 1p <<<"$debs")
tools=$(sed -n 2p <<<"$debs")
if [ "$deb" = "$CACHE/deb/hoguard-dkms_${version}_all.deb" ] && [ -s "$deb" ] &&
	[ "$tools" = "$CACHE/deb/hoguard-tools_${version}_all.deb" ] && [ -s "$tools" ]; then
	ok "make deb: $(basename "$deb") $(basename "$tools") ($((SECONDS - start)) s)"
else
	fail "make deb" "no .cache/deb/hoguard-{dkms,tools}_${version}_all.deb; log: $(tail -n 5 "$CACHE/dkms-test/deb-build.log" | tr '\n' ' ')"
	deb= tools=
fi

if [ -n "$deb" ]; then
	src=./usr/src/hoguard-$version
	doc=./usr/share/doc/hoguard-dkms
	# Expected content: the module sources and dkms.conf under /usr/src,
	# the docs and config examples, nothing else.
	want=$({
		for d in ./ ./usr/ ./usr/share/ ./usr/share/doc/ "$doc/" "$doc/examples/" ./usr/src/ "$src/"; do
			echo "$d"
		done
		for f in Kbuild dkms.conf ./*.c ./*.h; do
			case $f in *.mod.c) ;; *) echo "$src/${f#./}" ;; esac
		done
		printf '%s\n' "$doc/README-install.md.gz" "$doc/changelog.gz" "$doc/copyright" \
			"$doc/examples/hoguard-modprobe.conf" "$doc/examples/hoguard-modules-load.conf"
	} | sort)
	got=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sort)
	if [ "$got" = "$want" ]; then
		ok "dpkg-deb -c: exactly the sources + dkms.conf in /usr/src/hoguard-$version, docs, examples"
	else
		fail "dpkg-deb -c: package content" \
			"$(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
	fi
	check_eq "dpkg-deb -f: Package, Version, Architecture, Depends, Recommends" \
		"$(dpkg-deb -f "$deb" Package Version Architecture Depends Recommends | tr '\n' ' ')" \
		"Package: hoguard-dkms Version: $version Architecture: all Depends: dkms (>= 3.0.3-4~) Recommends: hoguard-tools "
	check_eq "packaged dkms.conf: PACKAGE_VERSION filled in from hoguard.h" \
		"$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "$src/dkms.conf" | grep '^PACKAGE_VERSION=')" \
		"PACKAGE_VERSION=\"$version\""
	tmp=$(mktemp -d)
	dpkg-deb -e "$deb" "$tmp"
	# dh_dkms's snippets: DKMS_NAME/DKMS_VERSION set, then dkms's common
	# postinst (add, build, install) and, in prerm, dkms remove --all.
	# shellcheck disable=SC2016 # the script's text, not expanded here
	rm_line='dkms remove -m $DKMS_NAME -v $DKMS_VERSION --all'
	check_eq "maintainer scripts (dh_dkms): postinst -> common.postinst, prerm -> dkms remove --all" \
		"$(grep -c -x -e 'DKMS_NAME=hoguard' -e "DKMS_VERSION=$version" "$tmp/postinst" "$tmp/prerm" | tr '\n' ' ')$(
			grep -c '/usr/lib/dkms/common.postinst' "$tmp/postinst") $(
			grep -c -F "$rm_line" "$tmp/prerm")" \
		"$tmp/postinst:2 $tmp/prerm:2 1 1"
	rm -rf "$tmp"
	# No lintian tag at all is accepted (errors, warnings, info, pedantic).
	lint=$(lintian --pedantic -I "$deb" "$tools" 2>&1 | grep -v 'running with root privileges')
	check_eq "lintian --pedantic -I, both packages: no tag" "$lint" ""
	tdoc=./usr/share/doc/hoguard-tools
	check_eq "dpkg-deb -c hoguard-tools: hoguardctl, its man page, the unit, the udev rule, the lintian override" \
		"$(dpkg-deb -c "$tools" | awk '$6 !~ /\/$/ { print $6 }' | LC_ALL=C sort | paste -sd' ')" \
		"./lib/systemd/system/hoguard.service ./lib/udev/rules.d/60-hoguard.rules ./usr/sbin/hoguardctl $tdoc/changelog.gz $tdoc/copyright ./usr/share/lintian/overrides/hoguard-tools ./usr/share/man/man8/hoguardctl.8.gz"
	check_eq "dpkg-deb -f hoguard-tools: Architecture, Depends, Recommends" \
		"$(dpkg-deb -f "$tools" Architecture Depends Recommends | tr '\n' ' ')" \
		"Architecture: all Depends: python3, iproute2, kmod Recommends: hoguard-dkms, nftables "
	check_eq "hoguard-tools' hoguardctl is scripts/hoguardctl" \
		"$(dpkg-deb --fsys-tarfile "$tools" | tar -xOf - ./usr/sbin/hoguardctl | cmp - scripts/hoguardctl && echo same)" same
fi

# ---------------------------------------------------------------------------
# The VMs. A module build under TCG takes minutes, so the work is split: the
# first series' VM installs the .deb, the second's does the DKMS part (its
# kernel, and the first series' through DKMS's hook); see in-vm.sh. With
# one series, its VM does both. Either way both header sets are built by
# DKMS, the boot-time load runs on each VM's kernel, and every removal is
# checked. (For 6.1 6.12, the .deb goes to 6.1, whose build is the cheaper:
# no BTF, no compression.)
# The second kernel of each series' VM: one whose headers build with the
# same userland (the host's for 6.1 and 6.12; sid's for 7.2, whose headers
# want gcc-16 and sid's libc: that VM's root is the sid chroot setup made,
# with dkms installed, as on a Debian sid machine running 7.2).
other_of() {
	case $1 in
	6.1) echo 6.12 ;;
	6.12) echo 6.1 ;;
	7.2) echo 7.3-rc ;;
	esac
}
userland_of() {
	if [ -s "$CACHE/$1/chroot" ]; then
		echo "$CACHE/chroot/$(cat "$CACHE/$1/chroot")"
	fi
}

# prebuild SERIES: for `make install` in the VM, a copy of the tree built
# with plain `make` against SERIES' headers, the way a user runs `make`
# before `sudo make install` (the build itself is tested elsewhere); in the
# series' chroot when it has one (the copy bound at the same path there).
prebuild() {
	local src=$CACHE/dkms-test/src-$1 croot kver
	croot=$(userland_of "$1")
	rm -rf "$src"
	mkdir -p "$src"
	if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$REPO" && git ls-files --cached --others --exclude-standard) |
			while IFS= read -r f; do [ ! -e "$REPO/$f" ] || echo "$f"; done |
			(cd "$REPO" && cpio -pdm --quiet "$src")
	else
		tar -C "$REPO" --exclude=./.git --exclude=./.cache -cf - . | tar -C "$src" -xf -
	fi || return 1
	if [ -z "$croot" ]; then
		make -C "$src" -s KDIR="$CACHE/$1/build" >"$CACHE/dkms-test/prebuild-$1.log" 2>&1
		return
	fi
	kver=$(cat "$CACHE/$1/kver")
	mkdir -p "$croot$src"
	# shellcheck disable=SC2016 # expanded by that sh
	unshare -m --propagation private -- sh -c '
		mount --bind "$2" "$1$2" && mount -t proc proc "$1/proc" &&
		exec chroot "$1" make -C "$2" -s KDIR="/usr/src/linux-headers-$3"
	' sh "$croot" "$src" "$kver" >"$CACHE/dkms-test/prebuild-$1.log" 2>&1
}

# The VMs run side by side (each keeps one core busy); their logs are
# printed when they are done.
pids=()
for s in "$@"; do
	other=$(other_of "$s")
	parts=$(parts_of "$s" "$@")
	if [[ $parts == *dkms* ]]; then
		if prebuild "$s"; then
			ok "make (for make install in the $s VM) in a copy of the tree"
		else
			fail "make in a copy of the tree for $s" \
				"$(tail -n 5 "$CACHE/dkms-test/prebuild-$s.log" | tr '\n' ' ')"
		fi
	fi
	echo "--- VM $s: $parts (second kernel: $other), started"
	rm -f "$CACHE/dkms-test/vm-$s.rc"
	# Module builds under TCG take minutes each: more time than vmrun's
	# default unless the caller chose.
	(
		start=$SECONDS
		HOGUARD_DKMS_DEB=$deb HOGUARD_TOOLS_DEB=$tools VMRUN_TIMEOUT=${VMRUN_TIMEOUT:-2400} \
			VMRUN_USERLAND=$(userland_of "$s") scripts/vmrun "$s" tests/dkms/in-vm.sh "$s" "$other" "$parts" \
			>"$CACHE/dkms-test/vm-$s.log" 2>&1
		rc=$?
		echo "$rc $((SECONDS - start))" >"$CACHE/dkms-test/vm-$s.rc"
	) &
	pids+=($!)
done
wait "${pids[@]}"

for s in "$@"; do
	log=$CACHE/dkms-test/vm-$s.log
	read -r rc secs <"$CACHE/dkms-test/vm-$s.rc" || { rc=255 secs='?'; }
	echo "--- VM $s"
	cat "$log"
	# Count the VM's check lines (also when it died half-way); a VM that
	# died, or whose kernel log shows a problem (vmrun fails then), with
	# no failed check counts one failure more.
	p=$(grep -c -E "^ok   [0-9]+ \[$s\] " "$log")
	f=$(grep -c -E "^FAIL [0-9]+ \[$s\] " "$log")
	T_PASS=$((T_PASS + p)) T_FAIL=$((T_FAIL + f)) T_N=$((T_N + p + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail "VM $s" "vmrun exited $rc (see $log and $CACHE/$s/last-console.txt)"
	fi
	echo "--- VM $s: $p passed, $f failed, $secs s"
done

summary
[ "$T_FAIL" -eq 0 ]
