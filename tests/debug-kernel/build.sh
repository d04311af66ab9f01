#!/bin/bash
# Build the debug kernel of `make check-debug` from Debian's linux-source-6.1
# and lay it out as a vmrun series in $CACHE/debug:
#
#   kver      the kernel release (6.1.N-hogdebug)
#   vmlinuz   -> obj/arch/x86/boot/bzImage
#   build     -> obj (a configured, built tree: scripts/build-module debug)
#   root/lib/modules/KVER   modules_install (everything is built in; the
#                           modules.builtin* files let modprobe see that)
#
# The configuration is `make tinyconfig` plus tests/debug-kernel/debug.config
# (every line of which is verified to have landed). Incremental: a second run
# with nothing changed only checks. Runs make niced (HOGUARD_NICE, 10) with
# -j$(nproc). Needs root for apt when packages are missing.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HOGUARD_CACHE:-$REPO/.cache}
DIR=$CACHE/debug
FRAGMENT=$REPO/tests/debug-kernel/debug.config
TARBALL=/usr/src/linux-source-6.1.tar.xz
DEPS=(linux-source-6.1 gcc make flex bison bc libelf-dev libssl-dev cpio kmod xz-utils)
NICE=${HOGUARD_NICE:-10}

die() { echo "debug-kernel: $*" >&2; exit 1; }
say() { echo "debug-kernel: $*"; }

missing=()
for p in "${DEPS[@]}"; do
	[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages (need root to install): ${missing[*]}"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
fi
[ -r "$TARBALL" ] || die "no $TARBALL after installing linux-source-6.1"

mkdir -p "$DIR"
cd "$DIR"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
if [ "$(cat src.stamp 2>/dev/null)" != "$srcver" ] || [ ! -e linux-source-6.1/Makefile ]; then
	say "unpacking linux-source-6.1 $srcver"
	t=$SECONDS
	rm -rf linux-source-6.1 obj
	nice -n "$NICE" tar -xJf "$TARBALL"
	echo "$srcver" >src.stamp
	say "unpacked in $((SECONDS - t)) s"
fi
SRC=$DIR/linux-source-6.1
OBJ=$DIR/obj
K=(make -s -C "$SRC" O="$OBJ" ARCH=x86_64)

# Configure when the fragment changed (or on first use).
stamp="$(sha256sum <"$FRAGMENT") $srcver"
if [ "$(cat config.stamp 2>/dev/null)" != "$stamp" ] || [ ! -e "$OBJ/.config" ]; then
	mkdir -p "$OBJ"
	"${K[@]}" tinyconfig >/dev/null
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$FRAGMENT" >merge.log 2>&1 ||
		{ cat merge.log; die "merge_config failed"; }
	"${K[@]}" olddefconfig >/dev/null
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF "$line" "$OBJ/.config" || { say "not in .config: $line ($(grep "^${line%%=*}=" "$OBJ/.config" || echo unset))"; bad=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" "$OBJ/.config" ||
				{ say "set, but the fragment says not: $line"; bad=1; } ;;
		esac
	done <"$FRAGMENT"
	[ $bad = 0 ] || die "the configuration lacks what debug.config asks for (dependencies?)"
	echo "$stamp" >config.stamp
fi

# Debian's kernel Makefile includes .kernelvariables from the build tree,
# and scripts/build-module reads the compiler from it: name gcc-12 (what
# bookworm's gcc is) there before the first build, so that the kernel and
# later runs build with the same command line (a change of it rebuilds all).
# shellcheck disable=SC2016 # make's $(CROSS_COMPILE), not the shell's
[ "$(cat "$OBJ/.kernelvariables" 2>/dev/null)" = 'CC = $(CROSS_COMPILE)gcc-12' ] ||
	echo 'CC = $(CROSS_COMPILE)gcc-12' >"$OBJ/.kernelvariables"

t=$SECONDS
say "building (nice $NICE, -j$(nproc)); log in $DIR/build.log"
if ! nice -n "$NICE" "${K[@]}" -j"$(nproc)" bzImage modules >build.log 2>&1; then
	tail -n 30 build.log
	die "kernel build failed"
fi
kver=$("${K[@]}" kernelrelease)
rm -rf root.new
"${K[@]}" INSTALL_MOD_PATH="$DIR/root.new" modules_install >/dev/null
rm -rf root
mv root.new root
depmod -b root "$kver"
ln -sfn obj/arch/x86/boot/bzImage vmlinuz
ln -sfn obj build
echo "$kver" >kver
say "$kver built in $((SECONDS - t)) s: $(stat -c %s "$OBJ/arch/x86/boot/bzImage") byte bzImage"
