#!/bin/bash
# Tests of scripts/hoguardctl against the real module, run as root inside
# the test VM:
#
#   scripts/vmrun 6.12 tests/ctl/run.sh /path/to/hoguard.ko
#
# Every subcommand: --help and the man page, status before and after load,
# add/del/set/reset with good and bad values (exact exit codes and the
# parameters read back),
# the kernel's own refusals turned into messages, detect against the
# fixture configurations under tests/ctl/fixtures (exact output, --apply,
# --persist), check on a leaking setup (forwarding on, a host-only veth,
# module not loaded; then a MASQUERADE rule; then monitor mode) and on a
# guarded one, --json through python3's json module, watch --count, and
# status -n NETNS for a namespace with its own host-only device and drops.
#
# The static checks (pyflakes, py_compile, groff) are tests/ctl/lint.sh, on
# the host; scripts/check runs both.
#
# Output: one `ok   N ...` or `FAIL N ...: details` line per check, then
# `P passed, F failed`; the exit status is non-zero if anything failed.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CTL=$REPO/scripts/hoguardctl
FIX=$HERE/fixtures
EXP=$HERE/expected
PARAMS=/sys/module/hoguard/parameters
KO=${1:-}
TMP=$(mktemp -d)
NS_G=hgc-g NS_LAN=hgc-lan NS_1=hgc-ns1 NS_1G=hgc-ns1g NS_1O=hgc-ns1o

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$REPO/tests/lib/common.sh"
# section TITLE: a heading, with the seconds spent so far.
section() { echo "# $1 (at ${SECONDS}s)"; }

cleanup() {
	set +e
	[ -d /sys/module/hoguard ] && rmmod hoguard
	for ns in $NS_G $NS_LAN $NS_1 $NS_1G $NS_1O; do
		ip netns del "$ns" 2>/dev/null
	done
	ip link del vboxnet0 2>/dev/null
	ip link del hgc-out 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# hc ARGS...: run hoguardctl; sets OUT, ERR, RC.
hc() {
	OUT=$("$CTL" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

# t_rc DESC WANT_RC ARGS...: the exit status only.
t_rc() {
	local desc=$1 want=$2
	shift 2
	hc "$@"
	if [ "$RC" = "$want" ]; then
		ok "$desc"
	else
		fail "$desc" "exit $RC, want $want; stderr: $ERR; stdout: $(head -c 300 <<<"$OUT")"
	fi
}

# t_out DESC WANT_RC WANT_STDOUT ARGS...: exit status and exact stdout.
t_out() {
	local desc=$1 want=$2 wantout=$3
	shift 3
	hc "$@"
	t_exact "$desc" "$want" stdout "$OUT" "$wantout"
}

# t_err DESC WANT_RC WANT_STDERR ARGS...: exit status and exact stderr.
t_err() {
	local desc=$1 want=$2 wanterr=$3
	shift 3
	hc "$@"
	t_exact "$desc" "$want" stderr "$ERR" "$wanterr"
}

# t_exact DESC WANT_RC STREAM GOT WANT: after hc, RC must be WANT_RC and
# STREAM's text GOT exactly WANT (a difference is shown as a diff).
t_exact() {
	if [ "$RC" != "$2" ]; then
		fail "$1" "exit $RC, want $2; stderr: $ERR; stdout: $(head -c 300 <<<"$OUT")"
	elif [ "$4" != "$5" ]; then
		# (no /dev/fd in the VM: no process substitution)
		echo "$5" >"$TMP/want"
		echo "$4" >"$TMP/got"
		fail "$1" "$3 differs (- want, + got):
$(diff -u "$TMP/want" "$TMP/got" | tail -n +3 | sed 's/^/    /')"
	else
		ok "$1"
	fi
}

# t_true DESC CMD...: CMD must succeed; t_false: must fail.
t_true() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d" "'$*' failed"; fi; }
t_false() { local d=$1; shift; if "$@" >/dev/null 2>&1; then fail "$d" "'$*' succeeded"; else ok "$d"; fi; }

param() { cat "$PARAMS/$1"; }

# t_param DESC NAME WANT: a parameter as the kernel reads it back.
t_param() { check_eq "$1" "$(param "$2")" "$3"; }

# t_json DESC PYEXPR ARGS...: run hoguardctl (any exit status), parse its
# stdout as JSON into `d` and assert the python expression on it.
t_json() {
	local desc=$1 expr=$2 res
	shift 2
	hc "$@"
	if res=$(python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
ok = eval(sys.argv[1])
print("yes" if ok else "no: " + json.dumps(d)[:400])
' "$expr" <<<"$OUT" 2>&1) && [ "$res" = yes ]; then
		ok "$desc"
	else
		fail "$desc" "exit $RC; $expr: $res"
	fi
}

# ns_prep NS: a namespace with quiet IPv6 (no DAD, no RA) and no rp_filter.
ns_prep() {
	local k
	ip netns add "$1"
	ip -n "$1" link set lo up
	for k in all default; do
		ip netns exec "$1" sysctl -qw net.ipv6.conf.$k.accept_dad=0 \
			net.ipv6.conf.$k.accept_ra=0 net.ipv4.conf.$k.rp_filter=0
	done
}

# veth HOSTNS HOSTDEV PEERNS PEERDEV: a veth pair, up, PEERDEV inside PEERNS.
veth() {
	local hn=$1 hd=$2 pn=$3 pd=$4 nsarg=()
	[ -n "$hn" ] && nsarg=(-n "$hn")
	ip "${nsarg[@]}" link add "$hd" type veth peer name "$pd" netns "$pn"
	ip "${nsarg[@]}" link set "$hd" up
	ip -n "$pn" link set "$pd" up
}

# ===========================================================================
section "command line, --help, man page"
# (pyflakes, py_compile and groff -ww run on the host: tests/ctl/lint.sh)

hc --help
missing=
for w in status 'add dev' 'del dev' 'add net' 'del net' 'set KEY' reset \
	detect check watch --json --netns --root --apply --persist --count; do
	grep -q -- "$w" <<<"$OUT" || missing+=" '$w'"
done
check_eq "--help: exit 0 and names every command and option" "$RC${missing}" 0
missing=
for c in status add del set reset detect check watch; do
	grep -Eq "^\.(B|BR|BI) \"?$c( |\$|\")" "$REPO/scripts/hoguardctl.8" ||
		missing+=" $c"
done
check_eq "man page documents every command" "${missing:-}" ""
t_rc "add --help: exit 0" 0 add --help
t_out "--version" 0 "hoguardctl 0.1.0" --version
t_rc "unknown command: exit 2" 2 frobnicate
t_rc "add without a value: exit 2" 2 add dev
t_rc "add with a bad kind: exit 2" 2 add route 192.0.2.0/24
t_err "an option of another command: exit 2" 2 \
	'hoguardctl: --root is not an option of status' status --root /

# ===========================================================================
section "detect: fixture configurations (module not loaded, no live vboxnet)"

[ -d /sys/module/hoguard ] && die "hoguard is loaded before the test"
for f in vmware vmware-legacy vbox libvirt empty; do
	want=0
	[ $f = empty ] && want=1
	t_out "detect --root fixtures/$f" $want "$(cat "$EXP/detect-$f.out")" \
		detect --root "$FIX/$f"
done
mkdir -p "$TMP/all"
for f in vmware vbox libvirt; do cp -a "$FIX/$f/." "$TMP/all/"; done
t_out "detect --root: VMware + VirtualBox + libvirt together" 0 \
	"$(cat "$EXP/detect-all.out")" detect --root "$TMP/all"
t_json "detect --json: networks, hostonly and subnets" \
	'[n["name"] for n in d["networks"]] == ["vmnet1", "vmnet2", "vboxnet0", "vboxnet1", "vboxnet12", "bare", "isolated", "lab"] and d["hostonly"] == ["vmnet1", "vmnet2", "vboxnet*", "virbr9", "virbr1", "virbr4"] and d["subnets"][0] == "192.0.2.0/24" and d["ranges_source"] == "/etc/vbox/networks.conf"' \
	detect --json --root "$TMP/all"
t_rc "detect --root missing-dir: exit 2" 2 detect --root "$TMP/nonexistent"

# --persist into a copy of the fixture root.
cp -a "$FIX/vmware" "$TMP/p1"
t_rc "detect --persist: exit 0" 0 detect --persist --root "$TMP/p1"
check_eq "detect --persist: the last output line says where" \
	"$(tail -n1 <<<"$OUT")" "# written to /etc/modprobe.d/hoguard.conf"
check_eq "detect --persist: modprobe.d/hoguard.conf" \
	"$(cat "$TMP/p1/etc/modprobe.d/hoguard.conf")" \
	"# written by hoguardctl detect --persist
options hoguard hostonly=vmnet1,vmnet2 subnets=192.0.2.0/24,198.51.100.128/25"
cp -a "$FIX/libvirt" "$TMP/p2"
mkdir -p "$TMP/p2/etc/modprobe.d"
printf '%s\n' '# local settings' 'blacklist pcspkr' \
	'options hoguard learn=0 hostonly=vmnet7 subnets=203.0.113.0/24' \
	>"$TMP/p2/etc/modprobe.d/hoguard.conf"
t_rc "detect --persist over an existing file: exit 0" 0 \
	detect --persist --root "$TMP/p2"
check_eq "detect --persist: other lines and options kept, lists merged" \
	"$(cat "$TMP/p2/etc/modprobe.d/hoguard.conf")" \
	"# local settings
blacklist pcspkr
options hoguard learn=0 hostonly=vmnet7,virbr9,virbr1,virbr4 subnets=192.0.2.0/24,198.51.100.128/25,203.0.113.0/24,2001:db8:1ab::/64,2001:db8:cafe::/64"
t_rc "detect --persist again: exit 0" 0 detect --persist --root "$TMP/p2"
check_eq "detect --persist again: nothing changes" \
	"$(sha256sum <"$TMP/p2/etc/modprobe.d/hoguard.conf")" \
	"$(printf '%s\n' '# local settings' 'blacklist pcspkr' \
		'options hoguard learn=0 hostonly=vmnet7,virbr9,virbr1,virbr4 subnets=192.0.2.0/24,198.51.100.128/25,203.0.113.0/24,2001:db8:1ab::/64,2001:db8:cafe::/64' |
		sha256sum)"

# --apply with the module not loaded: modprobe cannot find it yet.
t_rc "detect --apply, hoguard not installed: exit 3" 3 \
	detect --apply --root "$FIX/vmware"
t_true "detect --apply, not installed: says which modprobe failed" grep -q \
	"hoguard is not loaded and \`modprobe hoguard hostonly=vmnet1,vmnet2 subnets=192.0.2.0/24,198.51.100.128/25\` failed" <<<"$ERR"

# ===========================================================================
section "not loaded"

if [ -z "$KO" ] || [ ! -e "$KO" ]; then die "usage: $0 /path/to/hoguard.ko"; fi
sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
t_out "status, not loaded: exit 3" 3 "hoguard: not loaded
  forwarding: ipv4 off, ipv6 off" status
t_out "no command means status" 3 "hoguard: not loaded
  forwarding: ipv4 off, ipv6 off"
t_json "status --json, not loaded" \
	'd == {"loaded": False, "netns": None, "forwarding": {"ipv4": False, "ipv6": False}}' \
	status --json
t_err "add dev, not loaded: exit 3" 3 \
	"hoguardctl: hoguard is not loaded (load it: modprobe hoguard)" \
	add dev vmnet1
t_rc "del net, not loaded: exit 3" 3 del net 192.0.2.0/24
t_rc "set learn, not loaded: exit 3" 3 set learn off
t_rc "reset, not loaded: exit 3" 3 reset
t_rc "watch, not loaded: exit 3" 3 watch --count 1
t_rc "input is checked first: bad name, not loaded: exit 2" 2 add dev 'a/b'

# The leaking setup: forwarding on, a host-only veth "vboxnet0" to a guest,
# an outside veth to "lan"; the guest reaches lan.
sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
ns_prep $NS_G || die "netns $NS_G"
ns_prep $NS_LAN || die "netns $NS_LAN"
veth "" vboxnet0 $NS_G eth0 || die "veth vboxnet0"
veth "" hgc-out $NS_LAN eth0 || die "veth hgc-out"
ip addr add 192.0.2.1/24 dev vboxnet0
ip addr add 2001:db8:1::1/64 dev vboxnet0 nodad
ip addr add 198.51.100.1/24 dev hgc-out
ip addr add 2001:db8:100::1/64 dev hgc-out nodad
ip -n $NS_G addr add 192.0.2.2/24 dev eth0
ip -n $NS_G addr add 2001:db8:1::2/64 dev eth0 nodad
ip -n $NS_G route add default via 192.0.2.1
ip -n $NS_G -6 route add default via 2001:db8:1::1
ip -n $NS_LAN addr add 198.51.100.2/24 dev eth0
ip -n $NS_LAN addr add 2001:db8:100::2/64 dev eth0 nodad
ip -n $NS_LAN route add default via 198.51.100.1
ip -n $NS_LAN -6 route add default via 2001:db8:100::1

EMPTY=$FIX/empty
guest_ping() { ip netns exec $NS_G ping -n -q -c "$1" -i 0.2 -W 1 198.51.100.2 >/dev/null 2>&1; }

t_out "check, forwarding off, not loaded: ok, exit 0" 0 \
"VirtualBox vboxnet0: 192.0.2.0/24 2001:db8:1::/64
  source: interface
  device: vboxnet0, present
  forwarding: ipv4 off, ipv6 off
  hoguard: not loaded
  masquerade: none
  verdict: ok, forwarding is off; hoguard is not loaded
1 network: 0 guarded, 1 ok, 0 can leak" check --root "$EMPTY"

sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
t_true "without hoguard the guest reaches lan (the leak is real)" guest_ping 1
LEAK_UNLOADED="VirtualBox vboxnet0: 192.0.2.0/24 2001:db8:1::/64
  source: interface
  device: vboxnet0, present
  forwarding: ipv4 on, ipv6 on
  hoguard: not loaded
  masquerade: none
  verdict: LEAK: ipv4 and ipv6 forwarding is on; hoguard is not loaded
1 network: 0 guarded, 0 ok, 1 can leak"
t_out "check, forwarding on, vboxnet0, not loaded: LEAK, exit 1" 1 \
	"$LEAK_UNLOADED" check --root "$EMPTY"
t_json "check --json on the leak" \
	'd["leaks"] == 1 and d["networks"][0]["verdict"] == "leak" and d["networks"][0]["network"]["device"] == "vboxnet0" and d["networks"][0]["forwarding"] == {"ipv4": True, "ipv6": True}' \
	check --json --root "$EMPTY"

# Blanket source NAT, from nft and from iptables; one that does not cover
# the host-only prefix is not reported.
nft -f - <<'EOF' || die "nft masquerade"
table ip hgc {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "hgc-out" masquerade
		ip saddr 203.0.113.0/24 masquerade
	}
}
table inet hgc6 {
	chain post {
		type nat hook postrouting priority srcnat;
		ip saddr != 192.0.2.0/23 masquerade
		ip6 saddr 2001:db8::/32 oifname "hgc-out" masquerade
	}
}
EOF
iptables -t nat -A POSTROUTING -s 192.0.2.0/25 -o hgc-out -j MASQUERADE ||
	die "iptables masquerade"
iptables -t nat -A POSTROUTING -s 198.51.100.0/24 -j SNAT --to-source 198.51.100.1
ip6tables -t nat -A POSTROUTING ! -s 2001:db8:1::/48 -j MASQUERADE
t_out "check with MASQUERADE rules: reported, LEAK, exit 1" 1 \
"VirtualBox vboxnet0: 192.0.2.0/24 2001:db8:1::/64
  source: interface
  device: vboxnet0, present
  forwarding: ipv4 on, ipv6 on
  hoguard: not loaded
  masquerade: nft: table ip hgc, chain post: oifname \"hgc-out\" masquerade
  masquerade: nft: table inet hgc6, chain post: ip6 saddr 2001:db8::/32 oifname \"hgc-out\" masquerade
  masquerade: iptables: -A POSTROUTING -s 192.0.2.0/25 -o hgc-out -j MASQUERADE
  verdict: LEAK: ipv4 and ipv6 forwarding is on; hoguard is not loaded; source NAT (masquerade) hides its addresses
1 network: 0 guarded, 0 ok, 1 can leak" check --root "$EMPTY"
nft delete table ip hgc
nft delete table inet hgc6
iptables -t nat -F POSTROUTING
ip6tables -t nat -F POSTROUTING
t_out "check after the rules are gone: no masquerade" 1 "$LEAK_UNLOADED" \
	check --root "$EMPTY"

# ===========================================================================
section "loaded"

insmod "$KO" || die "insmod $KO"
VER=$(cat /sys/module/hoguard/version)
t_out "status, loaded, nothing configured: exit 0" 0 "hoguard: loaded
  version: $VER
  mode: enforcing
  forwarding: ipv4 on, ipv6 on
  options: learn on, inbound on, log off
  hostonly: none
  subnets: none
  learned: none
  drops: forward 0, inbound 0, postrouting 0" status
t_json "status --json, loaded" \
	'd["loaded"] and d["version"] == "'"$VER"'" and d["mode"] == "enforcing" and d["patterns"] == [] and d["subnets"] == [] and d["drops"] == {"forward": 0, "inbound": 0, "postrouting": 0} and d["options"] == {"learn": True, "inbound": True, "log": False, "monitor": False} and d["drops_scope"] == "global"' \
	status --json
t_out "check, loaded but not guarding vboxnet0: LEAK, exit 1" 1 \
"VirtualBox vboxnet0: 192.0.2.0/24 2001:db8:1::/64
  source: interface
  device: vboxnet0, present, not guarded
  forwarding: ipv4 on, ipv6 on
  hoguard: loaded, enforcing
  prefix: 192.0.2.0/24 not guarded
  prefix: 2001:db8:1::/64 not guarded
  masquerade: none
  verdict: LEAK: ipv4 and ipv6 forwarding is on; device vboxnet0 is not guarded; 192.0.2.0/24 is not guarded; 2001:db8:1::/64 is not guarded
1 network: 0 guarded, 0 ok, 1 can leak" check --root "$EMPTY"

section "add/del dev"
t_rc "add dev 'vboxnet*': exit 0" 0 add dev 'vboxnet*'
t_param "hostonly reads vboxnet*" hostonly 'vboxnet*'
t_rc "add dev vmnet1 vmnet2,virbr+: exit 0" 0 add dev vmnet1 vmnet2,virbr+
t_param "hostonly reads all four, + as *" hostonly 'vboxnet*,vmnet1,vmnet2,virbr*'
t_rc "add dev vmnet1 again: exit 0" 0 add dev vmnet1
t_param "hostonly unchanged by a duplicate" hostonly 'vboxnet*,vmnet1,vmnet2,virbr*'
HO='vboxnet*,vmnet1,vmnet2,virbr*'
for bad in '' 'a/b' '*' '+' 'abcdefghijklmnop' 'a:b' 'bad name' '..' 'a,,b' \
	'vm*net' 'tab	x'; do
	t_rc "add dev '$bad': exit 2" 2 add dev "$bad"
done
t_param "hostonly unchanged after the bad names" hostonly "$HO"
t_err "add dev 'a/b': the message" 2 \
	'hoguardctl: invalid interface name: "a/b"' add dev 'a/b'
t_err "add dev 16 characters: the message" 2 \
	'hoguardctl: name longer than 15 characters: "abcdefghijklmnop"' \
	add dev abcdefghijklmnop
t_rc "add dev with a 15-character name: exit 0" 0 add dev abcdefghijklmno
t_rc "del dev it: exit 0" 0 del dev abcdefghijklmno
t_err "del dev vmnet9 (not listed): exit 1" 1 \
	'hoguardctl: del dev: not in the hostonly list: vmnet9' del dev vmnet9
t_param "hostonly unchanged after del of an absent name" hostonly "$HO"
t_rc "del dev vmnet2 'virbr+': exit 0" 0 del dev vmnet2 'virbr+'
t_param "hostonly after del" hostonly 'vboxnet*,vmnet1'

section "kernel refusals (--no-validate lets the kernel judge)"
t_err "kernel: hostonly 'a/b' refused, EINVAL, exit 1" 1 \
	'hoguardctl: kernel refused hostonly: invalid interface name "a/b"; nothing changed (EINVAL)' \
	--no-validate add dev 'a/b'
t_err "kernel: del of an absent name, ENOENT, exit 1" 1 \
	'hoguardctl: kernel refused hostonly: not in the list: "vmnet9"; nothing changed (ENOENT)' \
	--no-validate del dev vmnet9
many=$(printf 'n%d,' $(seq 1 65))
t_err "kernel: 65 patterns, ENOSPC, exit 1" 1 \
	'hoguardctl: kernel refused hostonly: more than 64 patterns; nothing changed (ENOSPC)' \
	set hostonly "${many%,}"
t_param "hostonly unchanged after the kernel's refusals" hostonly 'vboxnet*,vmnet1'
t_err "kernel: subnets 192.0.2.0/33, EINVAL, exit 1" 1 \
	'hoguardctl: kernel refused subnets: invalid prefix "192.0.2.0/33"; nothing changed (EINVAL)' \
	--no-validate add net 192.0.2.0/33
t_err "kernel: del of an absent prefix, ENOENT, exit 1" 1 \
	'hoguardctl: kernel refused subnets: not in the list: "203.0.113.0/24"; nothing changed (ENOENT)' \
	--no-validate del net 203.0.113.0/24
t_err "kernel: learn=maybe, EINVAL, exit 1" 1 \
	'hoguardctl: kernel refused learn: not a boolean (Y/N/1/0); nothing changed (EINVAL)' \
	--no-validate set learn maybe

section "add/del net"
t_rc "add net 192.0.2.1/24: exit 0" 0 add net 192.0.2.1/24
t_param "subnets: host bits cleared" subnets 192.0.2.0/24
t_rc "add net 2001:DB8:1::/64 198.51.100.7: exit 0" 0 add net 2001:DB8:1::/64 198.51.100.7
t_param "subnets: canonical, sorted, /32 for a bare address" subnets \
	192.0.2.0/24,198.51.100.7/32,2001:db8:1::/64
SN=192.0.2.0/24,198.51.100.7/32,2001:db8:1::/64
for bad in 192.0.2.0/33 01.2.3.4 1.2.3 1.2.3.4.5 256.1.1.1 ::ffff:192.0.2.1 \
	2001:db8::/129 192.0.2.0/024 x '' 192.0.2.0/24/1 'fe80::1%eth0' \
	1:2:3:4:5:6:7:8:9 192.0.2.0/ 192.0.2.0/-1 '2001:db8::g/64' ' 192.0.2.0/24'; do
	t_rc "add net '$bad': exit 2" 2 add net "$bad"
done
t_param "subnets unchanged after the bad prefixes" subnets "$SN"
t_err "add net ::ffff:192.0.2.1: the message" 2 \
	'hoguardctl: IPv4-mapped prefix, write the IPv4 one: "::ffff:192.0.2.1"' \
	add net ::ffff:192.0.2.1
t_err "del net 203.0.113.0/24 (not listed): exit 1" 1 \
	'hoguardctl: del net: not in the subnets list: 203.0.113.0/24' \
	del net 203.0.113.0/24
t_param "subnets unchanged after del of an absent prefix" subnets "$SN"
t_rc "del net 198.51.100.7/32: exit 0" 0 del net 198.51.100.7/32
t_param "subnets after del" subnets 192.0.2.0/24,2001:db8:1::/64

# More than a page: hoguardctl splits it into several + writes, and reads
# the list from /proc/net/hoguard once sysfs cannot show it (EOVERFLOW).
big=$(for i in $(seq 0 399); do printf '10.%d.%d.0/24,' $((i / 256)) $((i % 256)); done)
t_rc "add net: 400 prefixes (over a page, split): exit 0" 0 add net "${big%,}"
check_eq "subnets holds 402 prefixes" "$(grep -c '^subnet ' /proc/net/hoguard)" 402
t_false "sysfs cannot show them (EOVERFLOW)" cat "$PARAMS/subnets"
hc status
check_eq "status still lists all 402" "$RC $(grep subnets: <<<"$OUT" | tr ',' '\n' | wc -l)" "0 402"
t_rc "del net: the 400 again: exit 0" 0 del net "${big%,}"
t_param "subnets back to two" subnets 192.0.2.0/24,2001:db8:1::/64

section "set"
for kv in "learn off N" "learn on Y" "inbound 0 N" "inbound yes Y" \
	"log on Y" "log false N" "monitor ON Y" "monitor off N"; do
	read -r k v want <<<"$kv"
	t_rc "set $k $v: exit 0" 0 set "$k" "$v"
	t_param "$k reads $want" "$k" "$want"
done
t_err "set learn maybe: exit 2" 2 \
	'hoguardctl: learn: not a boolean: "maybe" (on or off)' set learn maybe
t_param "learn unchanged" learn Y
t_rc "set bogus 1: exit 2" 2 set bogus 1
t_rc "set drops_forward 0: exit 2" 2 set drops_forward 0
t_rc "set subnets +192.0.2.0/24: exit 2 (use add)" 2 set subnets +192.0.2.0/24
t_rc "set subnets '': exit 0" 0 set subnets ''
t_param "subnets cleared" subnets ''
t_rc "set subnets 198.51.100.0/24,192.0.2.9/24: exit 0" 0 set subnets 198.51.100.0/24,192.0.2.9/24
t_param "subnets replaced" subnets 192.0.2.0/24,198.51.100.0/24
t_rc "set subnets with a bad element: exit 2" 2 set subnets 192.0.2.0/24,300.1.1.1
t_param "subnets unchanged" subnets 192.0.2.0/24,198.51.100.0/24
t_rc "set hostonly 'vboxnet+,vmnet1': exit 0" 0 set hostonly 'vboxnet+,vmnet1'
t_param "hostonly replaced" hostonly 'vboxnet*,vmnet1'
t_rc "set subnets '': exit 0" 0 set subnets ''

section "check, guarded"
GUARDED="VirtualBox vboxnet0: 192.0.2.0/24 2001:db8:1::/64
  source: interface
  device: vboxnet0, present, guarded (pattern vboxnet*)
  forwarding: ipv4 on, ipv6 on
  hoguard: loaded, enforcing
  prefix: 192.0.2.0/24 guarded
  prefix: 2001:db8:1::/64 guarded
  masquerade: none
  verdict: guarded
1 network: 1 guarded, 0 ok, 0 can leak"
t_out "check, vboxnet* guarded, prefixes learned: exit 0" 0 "$GUARDED" \
	check --root "$EMPTY"
t_json "check --json, guarded" \
	'd["leaks"] == 0 and d["networks"][0]["verdict"] == "guarded" and d["networks"][0]["pattern"] == "vboxnet*" and d["networks"][0]["prefixes"] == {"192.0.2.0/24": "guarded", "2001:db8:1::/64": "guarded"}' \
	check --json --root "$EMPTY"
"$CTL" set learn off
hc check --root "$EMPTY"
check_eq "check, learn off: LEAK, exit 1" "$RC $(grep verdict <<<"$OUT")" \
	"1   verdict: LEAK: ipv4 and ipv6 forwarding is on; 192.0.2.0/24 is not guarded; 2001:db8:1::/64 is not guarded"
"$CTL" add net 192.0.2.0/23 2001:db8::/32
t_out "check, learn off, wider prefixes listed: exit 0" 0 "$GUARDED" \
	check --root "$EMPTY"
"$CTL" set subnets ''
"$CTL" set learn on
"$CTL" set monitor on
hc check --root "$EMPTY"
check_eq "check, monitor mode: LEAK, exit 1" "$RC $(grep verdict <<<"$OUT")" \
	"1   verdict: LEAK: ipv4 and ipv6 forwarding is on; hoguard is in monitor mode"
check_eq "status shows monitor mode" "$("$CTL" status | grep mode:)" "  mode: monitor"
"$CTL" set monitor off

section "counters: reset, watch"
"$CTL" reset
t_false "guarded: the guest's pings to lan are dropped" guest_ping 3
t_param "drops_forward counted 3" drops_forward 3
check_eq "status shows the drops" "$("$CTL" status | grep drops:)" \
	"  drops: forward 3, inbound 0, postrouting 0"
t_out "status: the whole view" 0 "hoguard: loaded
  version: $VER
  mode: enforcing
  forwarding: ipv4 on, ipv6 on
  options: learn on, inbound on, log off
  hostonly: vboxnet* (vboxnet0)
  hostonly: vmnet1 (no device)
  subnets: none
  learned: 192.0.2.0/24, 2001:db8:1::/64
  drops: forward 3, inbound 0, postrouting 0" status
start=$(date +%s%N)
hc watch --count 2
el=$(( ($(date +%s%N) - start) / 1000000 ))
check_eq "watch --count 2: exit 0, header + 2 samples" \
	"$RC $(wc -l <<<"$OUT") $(head -n1 <<<"$OUT" | tr -s ' ')" \
	"0 3 time forward /s inbound /s postrouting /s"
check_eq "watch --count 2: both samples show 3 forward drops, rate 0" \
	"$(tail -n +2 <<<"$OUT" | awk '{print $2, $3, $4, $6}' | paste -sd' ')" \
	"3 0 0 0 3 0 0 0"
t_true "watch --count 2 takes about a second ($el ms)" \
	test "$el" -ge 1000 -a "$el" -lt 30000
hc watch --json --count 2 --interval 0.2
check_eq "watch --json: 2 lines of JSON with the counters" \
	"$RC $(python3 -c '
import json, sys
ls = [json.loads(l) for l in sys.stdin]
print(len(ls), [l["drops"]["forward"] for l in ls], ls[1]["rate"]["forward"])
' <<<"$OUT")" "0 2 [3, 3] 0.0"
t_rc "watch --count 0: exit 2" 2 watch --count 0
t_rc "reset: exit 0" 0 reset
check_eq "reset zeroes the counters" \
	"$(param drops_forward) $(param drops_inbound) $(param drops_postrouting)" "0 0 0"

section "detect --apply, loaded"
"$CTL" set hostonly ''
t_out "detect --apply --root fixtures/vmware, vboxnet0 live" 0 \
"# VMware vmnet1: 192.0.2.0/24 (/etc/vmware/networking)
# VMware vmnet2: 198.51.100.128/25 (/etc/vmware/networking)
# VirtualBox vboxnet0: 192.0.2.0/24 2001:db8:1::/64 (interface)
hostonly=vmnet1,vmnet2,vboxnet*
subnets=192.0.2.0/24,198.51.100.128/25,2001:db8:1::/64
# added to the running guard" detect --apply --root "$FIX/vmware"
t_param "hostonly after --apply" hostonly 'vmnet1,vmnet2,vboxnet*'
t_param "subnets after --apply" subnets \
	192.0.2.0/24,198.51.100.128/25,2001:db8:1::/64
hc detect --root "$EMPTY"
check_eq "detect, no config but a live vboxnet0: exit 0 and its lines" "$RC
$OUT" "0
# VirtualBox vboxnet0: 192.0.2.0/24 2001:db8:1::/64 (interface)
hostonly=vboxnet*
subnets=192.0.2.0/24,2001:db8:1::/64"
"$CTL" set hostonly 'vboxnet*'
"$CTL" set subnets ''

section "status -n NETNS"
# Namespace hgc-ns1 has its own host-only device vmnet5 with a guest
# behind it and an outside veth; its guest's pings are dropped there.
for ns in $NS_1 $NS_1G $NS_1O; do ns_prep "$ns" || die "netns $ns"; done
veth $NS_1 vmnet5 $NS_1G eth0 || die "veth vmnet5"
veth $NS_1 out5 $NS_1O eth0 || die "veth out5"
ip -n $NS_1 addr add 203.0.113.1/24 dev vmnet5
ip -n $NS_1 addr add 198.51.100.1/24 dev out5
ip -n $NS_1G addr add 203.0.113.2/24 dev eth0
ip -n $NS_1G route add default via 203.0.113.1
ip -n $NS_1O addr add 198.51.100.2/24 dev eth0
ip -n $NS_1O route add default via 198.51.100.1
ip netns exec $NS_1 sysctl -qw net.ipv4.ip_forward=1
"$CTL" add dev 'vmnet*'
t_false "ns1: the guest's pings are dropped" ip netns exec $NS_1G \
	ping -n -q -c 2 -i 0.2 -W 1 198.51.100.2
t_out "check --root fixtures/vmware: absent devices guarded by pattern" 0 \
"VMware vmnet1: 192.0.2.0/24
  source: /etc/vmware/networking
  device: vmnet1, absent, guarded (pattern vmnet*)
  forwarding: ipv4 on, ipv6 on
  hoguard: loaded, enforcing
  prefix: 192.0.2.0/24 guarded
  masquerade: none
  verdict: guarded
VMware vmnet2: 198.51.100.128/25
  source: /etc/vmware/networking
  device: vmnet2, absent, guarded (pattern vmnet*)
  forwarding: ipv4 on, ipv6 on
  hoguard: loaded, enforcing
  prefix: 198.51.100.128/25 learned when vmnet2 comes up
  masquerade: none
  verdict: guarded
${GUARDED/1 network: 1 guarded/3 networks: 3 guarded}" check --root "$FIX/vmware"
t_out "check -n hgc-g: no host-only network in the guest" 0 \
	"no host-only networks found" -n $NS_G check --root "$EMPTY"
t_out "status -n hgc-ns1: that namespace's devices, learned, drops" 0 \
"hoguard: loaded (namespace $NS_1)
  version: $VER
  mode: enforcing
  forwarding: ipv4 on, ipv6 off
  options: learn on, inbound on, log off
  hostonly: vboxnet* (no device)
  hostonly: vmnet* (vmnet5)
  subnets: none
  learned: 203.0.113.0/24
  drops: forward 2, inbound 0, postrouting 0" status -n $NS_1
t_json "status --json -n hgc-ns1" \
	'd["netns"] == "'$NS_1'" and d["devices"][0]["name"] == "vmnet5" and d["learned"] == ["203.0.113.0/24"] and d["drops"]["forward"] == 2 and d["drops_scope"] == "namespace" and "203.0.113.0/24" in d["guarded"]' \
	-n $NS_1 status --json
check_eq "status here: global counters, no vmnet5 in this namespace" \
	"$("$CTL" status | grep -e 'vmnet\*' -e drops:)" \
	"  hostonly: vmnet* (no device)
  drops: forward 2, inbound 0, postrouting 0"
hc -n $NS_1 watch --count 1 --json
check_eq "watch -n hgc-ns1: that namespace's counter" \
	"$RC $(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["drops"]["forward"])' <<<"$OUT")" "0 2"
check_eq "watch -n hgc-g: the guest namespace has no drops" \
	"$("$CTL" -n $NS_G watch --count 1 | tail -n1 | awk '{print $2, $4, $6}')" "0 0 0"
t_err "status -n missing: exit 1" 1 \
	'hoguardctl: no network namespace "hgc-nope" (see: ip netns list)' \
	status -n hgc-nope
t_rc "add -n: exit 2 (namespaces are for viewing)" 2 -n $NS_1 add dev vmnet1

section "unload, then modprobe through detect --apply and the persisted file"
rmmod hoguard || die "rmmod"
t_out "status after rmmod: exit 3" 3 "hoguard: not loaded
  forwarding: ipv4 on, ipv6 on" status
t_out "check after rmmod: LEAK again, exit 1" 1 "$LEAK_UNLOADED" \
	check --root "$EMPTY"
# Let modprobe find the module under test without depmod.
mkdir -p /etc/modprobe.d
echo "install hoguard /sbin/insmod $KO \$CMDLINE_OPTS" \
	>/etc/modprobe.d/hoguard-test.conf
t_rc "detect --apply, not loaded: loads it with modprobe, exit 0" 0 \
	detect --apply --root "$FIX/libvirt"
check_eq "detect --apply said so" "$(tail -n1 <<<"$OUT")" "# loaded hoguard with them"
t_param "hostonly given to modprobe" hostonly 'vboxnet*,virbr9,virbr1,virbr4'
t_param "subnets given to modprobe" subnets \
	192.0.2.0/24,198.51.100.128/25,2001:db8:1::/64,2001:db8:1ab::/64,2001:db8:cafe::/64
rmmod hoguard
cp "$TMP/p1/etc/modprobe.d/hoguard.conf" /etc/modprobe.d/hoguard.conf
modprobe hoguard || fail "modprobe with the persisted file" "failed"
t_param "the persisted file works: hostonly" hostonly vmnet1,vmnet2
t_param "the persisted file works: subnets" subnets 192.0.2.0/24,198.51.100.128/25
rm -f /etc/modprobe.d/hoguard.conf /etc/modprobe.d/hoguard-test.conf

section "done"
summary
[ "$T_FAIL" -eq 0 ]
