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
# Output: `1..N` (the plan), one `ok   N ...` or `FAIL N ...: details` line
# per check, then `P passed, F failed`; the exit status is non-zero if
# anything failed or the count of checks is not the plan.
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
# The plan: the checks below, loops counted out (none is skipped or added
# by what passes).
plan 245

section "command line, --help, man page"
# (pyflakes, py_compile and groff -ww run on the host: tests/ctl/lint.sh)

hc --help
missing=
for w in status add del set reset detect check watch save showconf metrics \
	fallback --json --pretty --netns --no-validate --version; do
	grep -q -- "$w" <<<"$OUT" || missing+=" '$w'"
done
check_eq "--help: exit 0 and names every command and global option" "$RC${missing}" 0
for c in "detect --apply --persist --root" "check --root" "watch --count --interval" \
	"metrics --output" "add dev net" "fallback show apply remove boot --config"; do
	read -r cmd words <<<"$c"
	hc "$cmd" --help
	missing=
	for w in $words; do grep -q -- "$w" <<<"$OUT" || missing+=" '$w'"; done
	check_eq "$cmd --help: exit 0, its own usage and options" \
		"$RC $(head -n1 <<<"$OUT" | cut -d' ' -f1-3)${missing}" "0 usage: hoguardctl $cmd"
done
missing=
for c in status add del set reset detect check watch save metrics fallback; do
	grep -Eq "^\.(B|BR|BI) \"?$c( |\$|\")" "$REPO/scripts/hoguardctl.8" ||
		missing+=" $c"
done
check_eq "man page documents every command" "${missing:-}" ""
t_rc "add --help: exit 0" 0 add --help
t_out "--version" 0 "hoguardctl 0.1.0" --version
t_rc "unknown command: exit 2" 2 frobnicate
t_rc "add without a value: exit 2" 2 add dev
t_rc "add with a bad kind: exit 2" 2 add route 192.0.2.0/24
hc status --root /
check_eq "an option of another command: exit 2, argparse says which" \
	"$RC $(tail -n1 <<<"$ERR")" "2 hoguardctl: error: unrecognized arguments: --root /"
t_rc "watch --count x: exit 2" 2 watch --count x

# ===========================================================================
section "detect: fixture configurations (module not loaded, no live vboxnet)"

[ -d /sys/module/hoguard ] && die "hoguard is loaded before the test"
# The fixtures as a host has them: everything root's, except alice's home
# (her VirtualBox.xml is hers to change).
useradd -M -u 4242 alice 2>/dev/null || id alice >/dev/null || die "useradd alice"
mkdir -p "$TMP/fx/all"
for f in vmware vmware-legacy vbox libvirt empty; do
	mkdir -p "$TMP/fx/$f"
	cp -r "$FIX/$f/." "$TMP/fx/$f/"
done
for f in vmware vbox libvirt; do cp -r "$FIX/$f/." "$TMP/fx/all/"; done
chown -R alice "$TMP/fx/vbox/home/alice" "$TMP/fx/all/home/alice"
for f in vmware vmware-legacy vbox libvirt empty all; do
	want=0
	[ $f = empty ] && want=1
	t_out "detect --root fixtures/$f" $want "$(cat "$EXP/detect-$f.out")" \
		detect --root "$TMP/fx/$f"
done
t_json "detect --json: networks, hostonly and subnets" \
	'd["schema"] == 1 and [n["name"] for n in d["networks"]] == ["vmnet1", "vmnet2", "vmnet5", "vboxnet0", "vboxnet1", "vboxnet3", "vboxnet4", "vboxnet5", "vboxnet12", "vboxnet13", "bare", "isolated", "lab", "noforward", "wide"] and d["hostonly"] == ["vmnet1", "vmnet2", "vmnet5", "vboxnet*", "virbr9", "virbr1", "virbr4", "virbr5", "virbr6"] and d["subnets"][0] == "192.0.2.0/24" and "ranges" not in d and d["done"] == []' \
	detect --json --root "$TMP/fx/all"
check_eq "detect --json is one compact line" "$(wc -l <<<"$OUT") $(grep -c '": ' <<<"$OUT")" "1 0"
t_rc "detect --root missing-dir: exit 2" 2 detect --root "$TMP/nonexistent"
# networks.conf's Vagrant line (* 10.0.0.0/8 192.168.0.0/16) allows
# ranges; it is no network, and nothing of it may be offered.
t_false "detect: nothing of networks.conf's 10.0.0.0/8, 192.168.0.0/16 offered" \
	grep -Eq '^subnets=.*(10\.0\.0\.0/8|192\.168\.0\.0/16)' "$EXP/detect-vbox.out" "$EXP/detect-all.out"
# What alice's file says counts once her interface holds it.
ip link add vboxnet12 type veth peer name hgc-p12 || die "veth vboxnet12"
ip addr add 198.51.100.33/27 dev vboxnet12
hc detect --root "$TMP/fx/vbox"
check_eq "detect: alice's vboxnet12 entry counts for the live vboxnet12 holding it" \
	"$RC $(grep -c '198.51.100.32/27 from' <<<"$OUT") $(grep '^subnets=' <<<"$OUT")" \
	"0 0 subnets=192.0.2.0/26,192.0.2.128/25,198.51.100.32/27,198.51.100.200/29,203.0.113.0/24,2001:db8:56::/64"
check_eq "detect: but not her /24 DHCP server nor her vboxnet13 10.0.0.0/8" \
	"$(grep -c -e '198.51.100.0/24 from /home/alice' -e '10.0.0.0/8 from /home/alice' <<<"$OUT")" 2
ip link del vboxnet12

# --persist writes a drop-in of its own, read after hoguard.conf, whose
# values add (+) to the lists set there; the operator's file is not touched.
DET=etc/modprobe.d/zz-hoguard-detected.conf
cp -r "$TMP/fx/vmware" "$TMP/p1"
t_rc "detect --persist: exit 0" 0 detect --persist --root "$TMP/p1"
check_eq "detect --persist: the last output line says where" \
	"$(tail -n1 <<<"$OUT")" "# written to /$DET"
check_eq "detect --persist: its own drop-in, values that add" \
	"$(grep -v '^#' "$TMP/p1/$DET")" \
	"options hoguard hostonly=+vmnet1,vmnet2,vmnet5 subnets=+192.0.2.0/24,198.51.100.128/25"
cp -r "$TMP/fx/libvirt" "$TMP/p2"
mkdir -p "$TMP/p2/etc/modprobe.d"
# A valid file that the old merge corrupted (continuation) or refused (quotes).
USERCONF='# local settings
blacklist pcspkr
options hoguard learn=0 \
	hostonly=vmnet7
options hoguard subnets="203.0.113.0/24"'
echo "$USERCONF" >"$TMP/p2/etc/modprobe.d/hoguard.conf"
cp "$TMP/p1/$DET" "$TMP/p2/$DET"
t_rc "detect --persist with an operator's file: exit 0" 0 \
	detect --persist --root "$TMP/p2"
check_eq "detect --persist: the operator's hoguard.conf is untouched" \
	"$(cat "$TMP/p2/etc/modprobe.d/hoguard.conf")" "$USERCONF"
check_eq "detect --persist: the drop-in keeps what it held and adds" \
	"$(grep -v '^#' "$TMP/p2/$DET")" \
	"options hoguard hostonly=+vmnet1,vmnet2,vmnet5,virbr9,virbr1,virbr4,virbr5,virbr6 subnets=+192.0.2.0/24,198.51.100.0/24,198.51.100.128/25,203.0.113.0/25,2001:db8:5::/64,2001:db8:1ab::/64,2001:db8:cafe::/64"
sum1=$(sha256sum <"$TMP/p2/$DET")
t_rc "detect --persist again: exit 0" 0 detect --persist --root "$TMP/p2"
check_eq "detect --persist again: nothing changes" "$(sha256sum <"$TMP/p2/$DET")" "$sum1"

# --apply with the module not loaded: modprobe cannot find it yet.
t_rc "detect --apply, hoguard not installed: exit 3" 3 \
	detect --apply --root "$TMP/fx/vmware"
t_true "detect --apply, not installed: says which modprobe failed (values that add)" grep -q \
	"hoguard is not loaded and \`modprobe hoguard hostonly=+vmnet1,vmnet2,vmnet5 subnets=+192.0.2.0/24,198.51.100.128/25\` failed" <<<"$ERR"

# ===========================================================================
section "not loaded"

if [ -z "$KO" ] || [ ! -e "$KO" ]; then die "usage: $0 /path/to/hoguard.ko"; fi
sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
t_out "status, not loaded: exit 3" 3 "hoguard: not loaded
  forwarding: ipv4 off, ipv6 off" status
t_out "no command means status" 3 "hoguard: not loaded
  forwarding: ipv4 off, ipv6 off"
t_json "status --json, not loaded: schema, [] for the empty lists" \
	'd == {"schema": 1, "loaded": False, "netns": None, "forwarding": {"ipv4": False, "ipv6": False}, "fallback": None, "patterns": [], "devices": [], "subnets": [], "learned": [], "guarded": []}' \
	status --json
hc -jp status
check_eq "-jp (combined short options): indented JSON" \
	"$RC $(head -n2 <<<"$OUT" | paste -sd' ')" '3 {   "schema": 1,'
t_rc "save, not loaded: exit 3" 3 save
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
	'd["leaks"] == 1 and d["networks"][0]["verdict"] == "leak" and d["networks"][0]["network"]["device"] == "vboxnet0" and d["networks"][0]["forwarding"] == {"ipv4": True, "ipv6": True, "ipv4_out": True, "ipv4_in_from": ["hgc-out"]}' \
	check --json --root "$EMPTY"

# IPv4 forwards by the ingress interface's setting: with vboxnet0's off
# but hgc-out's on, lan's packets are still routed into the network.
icmp_in_echos() {
	ip netns exec "$1" awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++)
		if ($i == "InEchos") c = i; h = 1 } else print $c }' /proc/net/snmp
}
sysctl -qw net.ipv4.conf.vboxnet0.forwarding=0 net.ipv6.conf.all.forwarding=0
e0=$(icmp_in_echos $NS_G)
ip netns exec $NS_LAN ping -n -q -c 3 -i 0.2 -W 1 192.0.2.2 >/dev/null 2>&1
check_eq "vboxnet0's forwarding off: lan's pings still reach the guest" \
	"$(($(icmp_in_echos $NS_G) - e0))" 3
t_out "check, forwarding off on vboxnet0 but on on hgc-out: LEAK, exit 1" 1 \
"VirtualBox vboxnet0: 192.0.2.0/24 2001:db8:1::/64
  source: interface
  device: vboxnet0, present
  forwarding: ipv4 on (into it only, from hgc-out), ipv6 off
  hoguard: not loaded
  masquerade: none
  verdict: LEAK: ipv4 (into it from hgc-out) forwarding is on; hoguard is not loaded
1 network: 0 guarded, 0 ok, 1 can leak" check --root "$EMPTY"
sysctl -qw net.ipv4.conf.vboxnet0.forwarding=1 net.ipv4.conf.hgc-out.forwarding=0
hc check --root "$EMPTY"
check_eq "check, forwarding on on vboxnet0 only: LEAK out of it, exit 1" \
	"$RC $(grep -e forwarding: -e verdict: <<<"$OUT" | paste -sd'|')" \
	"1   forwarding: ipv4 on (out of vboxnet0 only), ipv6 off|  verdict: LEAK: ipv4 (out of vboxnet0) forwarding is on; hoguard is not loaded"
# Settings that cannot be read are unknown, never "off".
sysctl -qw net.ipv4.ip_forward=0
hc check --root "$EMPTY"
check_eq "control: forwarding off everywhere: ok, exit 0" "$RC $(grep verdict: <<<"$OUT")" \
	"0   verdict: ok, forwarding is off; hoguard is not loaded"
OUT=$(unshare -m sh -c 'mount -t tmpfs hgc /proc/sys/net && exec "$0" check --root "$1"' \
	"$CTL" "$EMPTY" 2>"$TMP/err")
RC=$?
check_eq "check, forwarding settings unreadable: UNKNOWN, exit 1" \
	"$RC $(grep -e forwarding: -e verdict: -e '^1 network' <<<"$OUT" | paste -sd'|')" \
	"1   forwarding: ipv4 unknown, ipv6 unknown|  verdict: UNKNOWN: hoguard is not loaded; not checked: /proc/sys/net/ipv4/conf/vboxnet0/forwarding: No such file or directory; not checked: /proc/sys/net/ipv4/conf/hgc-out/forwarding: No such file or directory; not checked: /proc/sys/net/ipv6/conf/all/forwarding: No such file or directory|1 network: 0 guarded, 0 ok, 0 can leak, 1 unknown"
sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

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
# Over a page: staged (subnets_stage, then one subnets_commit), so that the
# old list holds until the new one replaces it whole.
t_rc "set subnets: the 400 prefixes (over a page, staged): exit 0" 0 set subnets "${big%,}"
check_eq "subnets replaced by the 400, the stage closed" \
	"$(grep -c '^subnet ' /proc/net/hoguard) $(grep -c '^subnet 192.0.2.0/24$' /proc/net/hoguard) $(param subnets_commit)" \
	"400 0 none"
mkdir -p "$TMP/sys/parameters"
echo old >"$TMP/sys/parameters/subnets"
: >"$TMP/sys/parameters/subnets_stage"
: >"$TMP/sys/parameters/subnets_commit"
HOGUARDCTL_SYSFS=$TMP/sys "$CTL" set subnets "${big%,}"
check_eq "it writes subnets_stage (a list, then +lists) and 1 to subnets_commit, not subnets" \
	"$(cat "$TMP/sys/parameters/subnets") $(head -c 1 "$TMP/sys/parameters/subnets_stage") $(cat "$TMP/sys/parameters/subnets_commit")" \
	"old + 1"
t_rc "set subnets 192.0.2.0/24,198.51.100.0/24 (one page, one write): exit 0" 0 set subnets 192.0.2.0/24,198.51.100.0/24
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

# What IP hooks never see: a LEAK whatever hoguard guards.
nft -f - <<'EOF' || die "nft netdev"
table netdev hgcbyp {
	chain in {
		type filter hook ingress device "vboxnet0" priority 0;
		ip daddr 198.51.100.2 dup to "hgc-out"
	}
}
EOF
hc check --root "$EMPTY"
check_eq "check: an nft netdev dup on vboxnet0 is a LEAK, exit 1" \
	"$RC $(grep -e bypass: -e verdict: <<<"$OUT" | paste -sd'|')" \
	"1   bypass: nft: table netdev hgcbyp, chain in (ingress on vboxnet0): ip daddr 198.51.100.2 dup to \"hgc-out\"|  verdict: LEAK: nft: table netdev hgcbyp, chain in (ingress on vboxnet0): ip daddr 198.51.100.2 dup to \"hgc-out\" bypasses the IP hooks"
nft delete table netdev hgcbyp
nft -f - <<'EOF' || die "nft netdev fwd"
table netdev hgcbyp {
	chain in {
		type filter hook ingress device "hgc-out" priority 0;
		ip daddr 192.0.2.2 fwd to "vboxnet0"
	}
}
EOF
hc check --root "$EMPTY"
check_eq "check: an nft netdev fwd into vboxnet0 from hgc-out is a LEAK, exit 1" \
	"$RC $(grep -c 'bypass: nft: table netdev hgcbyp, chain in (ingress on hgc-out): ip daddr 192.0.2.2 fwd to "vboxnet0"' <<<"$OUT") $(grep -c 'verdict: LEAK' <<<"$OUT")" "1 1 1"
nft delete table netdev hgcbyp
tc qdisc add dev vboxnet0 clsact && tc filter add dev vboxnet0 ingress \
	matchall action mirred egress redirect dev hgc-out || die "tc mirred"
hc check --root "$EMPTY"
check_eq "check: a tc mirred redirect on vboxnet0 is a LEAK, exit 1" \
	"$RC $(grep -e bypass: -e verdict: <<<"$OUT" | paste -sd'|')" \
	"1   bypass: tc: filter on vboxnet0 ingress: mirred egress redirect to hgc-out|  verdict: LEAK: tc: filter on vboxnet0 ingress: mirred egress redirect to hgc-out bypasses the IP hooks"
tc qdisc del dev vboxnet0 clsact
CLANG=$(command -v clang || command -v clang-14)
if [ -n "$CLANG" ]; then
	printf '%s\n' 'int prog(void *ctx) __attribute__((section("xdp"), used));' \
		'int prog(void *ctx) { return 2; }' \
		'char _license[] __attribute__((section("license"), used)) = "GPL";' >"$TMP/xdp.c"
	"$CLANG" -O2 -target bpf -c "$TMP/xdp.c" -o "$TMP/xdp.o" &&
		ip link set dev vboxnet0 xdpgeneric obj "$TMP/xdp.o" sec xdp ||
		die "xdp program"
	hc check --root "$EMPTY"
	check_eq "check: an XDP program on vboxnet0 is a LEAK, exit 1" \
		"$RC $(grep -e bypass: <<<"$OUT")" \
		"1   bypass: XDP: program prog (generic mode) on vboxnet0"
	ip link set dev vboxnet0 xdpgeneric off
else
	fail "check: an XDP program on vboxnet0" "no clang to build one"
fi
t_out "check: the bypasses gone, guarded again" 0 "$GUARDED" check --root "$EMPTY"
# As a user: nft cannot list the ruleset; say so, and do not call it ok.
# The user runs a copy, from a directory it may enter: the checkout may lie
# below one that only root can (a clone in a `mktemp -d` directory).
UDIR=$(mktemp -d)
chmod 755 "$UDIR"
install -m 755 "$CTL" "$UDIR/hoguardctl"
mkdir -m 755 "$UDIR/empty"
OUT=$(setpriv --reuid=4242 --regid=4242 --clear-groups "$UDIR/hoguardctl" check --root "$UDIR/empty" 2>"$TMP/err")
RC=$?
check_eq "check as a user: UNKNOWN, exit 1, says what it could not read" \
	"$RC $(grep -c 'nft is not' <<<"$OUT") $(grep -c 'not checked: `nft -j list ruleset`: Operation not permitted' <<<"$OUT") $(grep -c 'verdict: UNKNOWN' <<<"$OUT")" \
	"1 0 2 1"
echo "$OUT" | sed 's/^/    | /'
rm -rf "$UDIR"

# save: the running configuration as a line modprobe takes back.
hc save
check_eq "save: one loadable options line" "$RC $OUT" \
	"0 options hoguard hostonly=vboxnet*,vmnet1 learn=Y inbound=Y log=N monitor=N"
hc showconf
check_eq "showconf is save" "$RC $OUT" \
	"0 options hoguard hostonly=vboxnet*,vmnet1 learn=Y inbound=Y log=N monitor=N"
"$CTL" set learn off
hc check --root "$EMPTY"
check_eq "check, learn off: LEAK, exit 1" "$RC $(grep verdict <<<"$OUT")" \
	"1   verdict: LEAK: ipv4 and ipv6 forwarding is on; 192.0.2.0/24 is not guarded; 2001:db8:1::/64 is not guarded"
"$CTL" add net 192.0.2.0/23 2001:db8::/32
t_out "check, learn off, wider prefixes listed: exit 0" 0 "$GUARDED" \
	check --root "$EMPTY"
SAVED=$("$CTL" save)
# metrics: Prometheus' text format, every sample declared.
hc metrics
check_eq "metrics: exit 0, valid exposition format, the values" "$RC $(python3 -c '
import re, sys
types, out = {}, []
for l in sys.stdin.read().splitlines():
    m = re.match(r"# (HELP|TYPE) (hoguard_[a-z_]+) (.+)$", l)
    if m:
        if m.group(1) == "TYPE":
            types[m.group(2)] = m.group(3)
        continue
    m = re.match(r"(hoguard_[a-z_]+)(\{[a-z]+=\"[^\"]*\"(,[a-z]+=\"[^\"]*\")*\})? (-?[0-9]+)$", l)
    if not m or m.group(1) not in types:
        print("bad line:", l)
        sys.exit()
    if m.group(1) in ("hoguard_up", "hoguard_monitor_mode", "hoguard_subnets", "hoguard_hostonly_patterns") or "forward" in l:
        out.append(l)
print(sorted(set(types.values())), *out)
' <<<"$OUT")" "0 ['counter', 'gauge'] hoguard_up 1 hoguard_forwarding{family=\"ipv4\"} 1 hoguard_forwarding{family=\"ipv6\"} 1 hoguard_monitor_mode 0 hoguard_drops_total{rule=\"forward\"} 0 hoguard_hostonly_patterns 2 hoguard_subnets 2"
mkdir "$TMP/prom"
t_rc "metrics -o FILE: exit 0" 0 metrics -o "$TMP/prom/hoguard.prom"
"$CTL" metrics >"$TMP/metrics.out"
check_eq "metrics -o: the same text, mode 644, no temporary file left" \
	"$(cmp "$TMP/prom/hoguard.prom" "$TMP/metrics.out" 2>&1 && echo same) $(stat -c %a "$TMP/prom/hoguard.prom") $(ls -A "$TMP/prom" | wc -l)" \
	"same 644 1"
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
# VMware vmnet5: no address (/etc/vmware/networking)
# VirtualBox vboxnet0: 192.0.2.0/24 2001:db8:1::/64 (interface)
# VMware vmnet5: 0.0.0.0/0 skipped: shorter than /8, too wide to guard
hostonly=vmnet1,vmnet2,vmnet5,vboxnet*
subnets=192.0.2.0/24,198.51.100.128/25,2001:db8:1::/64
# added to the running guard" detect --apply --root "$TMP/fx/vmware"
t_param "hostonly after --apply" hostonly 'vmnet1,vmnet2,vmnet5,vboxnet*'
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
VMware vmnet5: no address
  source: /etc/vmware/networking
  device: vmnet5, absent, guarded (pattern vmnet*)
  forwarding: ipv4 on, ipv6 on
  hoguard: loaded, enforcing
  masquerade: none
  verdict: guarded
${GUARDED%1 network: 1 guarded*}# VMware vmnet5: 0.0.0.0/0 skipped: shorter than /8, too wide to guard
4 networks: 4 guarded, 0 ok, 0 can leak" check --root "$TMP/fx/vmware"
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
	detect --apply --root "$TMP/fx/libvirt"
check_eq "detect --apply said so" "$(tail -n1 <<<"$OUT")" "# loaded hoguard with them"
t_param "hostonly given to modprobe" hostonly 'vboxnet*,virbr9,virbr1,virbr4,virbr5,virbr6'
t_param "subnets given to modprobe" subnets \
	192.0.2.0/24,198.51.100.128/25,203.0.113.0/25,2001:db8:1::/64,2001:db8:5::/64,2001:db8:1ab::/64,2001:db8:cafe::/64
rmmod hoguard
cp "$TMP/p1/$DET" "/$DET"
check_cmd "modprobe with the persisted file" modprobe hoguard
t_param "the persisted file works: hostonly" hostonly vmnet1,vmnet2,vmnet5
t_param "the persisted file works: subnets" subnets 192.0.2.0/24,198.51.100.128/25
rmmod hoguard
rm -f "/$DET"
# save's line, loaded back, gives the same configuration.
echo "$SAVED" >/etc/modprobe.d/hoguard.conf
check_cmd "modprobe with save's line" modprobe hoguard
check_eq "save's line loads back: the same parameters" \
	"$(for p in hostonly subnets learn inbound log monitor; do param $p; done | paste -sd' ')" \
	"vboxnet*,vmnet1 192.0.2.0/23,2001:db8::/32 N Y N N"
rmmod hoguard
# --persist's drop-in adds to the operator's file: modprobe reads both.
printf '%s\n' 'options hoguard learn=0 \' '	hostonly=vmnet7' \
	'options hoguard subnets="203.0.113.0/24"' >/etc/modprobe.d/hoguard.conf
cp "$TMP/p1/$DET" "/$DET"
check_cmd "modprobe with hoguard.conf and the drop-in" modprobe hoguard
t_param "hoguard.conf + drop-in: hostonly added to" hostonly vmnet7,vmnet1,vmnet2,vmnet5
t_param "hoguard.conf + drop-in: subnets added to" subnets \
	192.0.2.0/24,198.51.100.128/25,203.0.113.0/24
t_param "hoguard.conf + drop-in: learn from hoguard.conf" learn N
rmmod hoguard
rm -f "/$DET"
# detect --apply on an unloaded module adds to the modprobe.d options.
t_rc "detect --apply, not loaded, with hoguard.conf: exit 0" 0 \
	detect --apply --root "$TMP/fx/vmware"
t_param "detect --apply: hostonly added to hoguard.conf's" hostonly 'vmnet7,vmnet1,vmnet2,vmnet5,vboxnet*'
t_param "detect --apply: subnets added to hoguard.conf's" subnets \
	192.0.2.0/24,198.51.100.128/25,203.0.113.0/24,2001:db8:1::/64
rmmod hoguard
rm -f /etc/modprobe.d/hoguard.conf /etc/modprobe.d/hoguard-test.conf

section "boot: hoguard.service's fallback boot (module present, module missing)"
# What hoguard.service runs: load the module with its configuration, or
# stand nft rules with the same meaning in for it.
echo 'options hoguard hostonly=vboxnet*' >/etc/modprobe.d/hoguard.conf
echo "install hoguard /sbin/insmod $KO \$CMDLINE_OPTS" \
	>/etc/modprobe.d/hoguard-test.conf
sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
FB=/run/hoguard/fallback
has_fallback() { nft list table inet hoguard_fallback >/dev/null 2>&1; }
# The probes of the end-to-end suite: the guest to lan and lan to the
# guest, IPv4 and IPv6; the host from its host-only address to lan; and
# what must keep working, host <-> guest.
probe() {
	case $1 in
	g2l4) ip netns exec $NS_G ping -n -q -c 2 -i 0.2 -W 1 198.51.100.2 ;;
	g2l6) ip netns exec $NS_G ping -n -q -c 2 -i 0.2 -W 1 2001:db8:100::2 ;;
	l2g4) ip netns exec $NS_LAN ping -n -q -c 2 -i 0.2 -W 1 192.0.2.2 ;;
	l2g6) ip netns exec $NS_LAN ping -n -q -c 2 -i 0.2 -W 1 2001:db8:1::2 ;;
	h2l4) ping -n -q -c 2 -i 0.2 -W 1 -I 192.0.2.1 198.51.100.2 ;;
	h2g4) ping -n -q -c 2 -i 0.2 -W 1 192.0.2.2 ;;
	h2g6) ping -n -q -c 2 -i 0.2 -W 1 2001:db8:1::2 ;;
	g2h4) ip netns exec $NS_G ping -n -q -c 2 -i 0.2 -W 1 192.0.2.1 ;;
	esac >/dev/null 2>&1
}
probes() {
	local p out=
	for p in g2l4 g2l6 l2g4 l2g6 h2l4 h2g4 h2g6 g2h4; do
		if probe $p; then out+=" $p:pass"; else out+=" $p:blocked"; fi
	done
	echo "${out# }"
}
LEAKING="g2l4:pass g2l6:pass l2g4:pass l2g6:pass h2l4:pass h2g4:pass h2g6:pass g2h4:pass"
CONFINED="g2l4:blocked g2l6:blocked l2g4:blocked l2g6:blocked h2l4:blocked h2g4:pass h2g6:pass g2h4:pass"
check_eq "control: no module, no fallback: every probe passes (the leak)" "$(probes)" "$LEAKING"

# Module present: loaded with hoguard.conf, and a stale fallback removed.
"$CTL" fallback apply >/dev/null
t_true "control: fallback apply makes the table" has_fallback
t_out "fallback boot, module present: loads it, exit 0" 0 "hoguard loaded" fallback boot
t_param "fallback boot: the module has hoguard.conf's options" hostonly 'vboxnet*'
t_false "fallback boot, module present: no fallback table" has_fallback
t_false "fallback boot, module present: no mark in /run/hoguard" test -e $FB
check_eq "module present: the probes" "$(probes)" "$CONFINED"
t_rc "status, module loaded: exit 0" 0 status
rmmod hoguard

# Module missing: the fallback stands in, and says so.
echo "install hoguard /bin/false" >/etc/modprobe.d/hoguard-test.conf
hc fallback boot
check_eq "fallback boot, module missing: exit 1, says degraded" \
	"$RC $OUT" "1 degraded: fallback rules: nft table inet hoguard_fallback"
t_true "fallback boot, module missing: table inet hoguard_fallback" has_fallback
check_eq "module missing: the probes (the leak stopped, host <-> guest kept)" \
	"$(probes)" "$CONFINED"
t_out "status, degraded: exit 3" 3 "hoguard: degraded: fallback rules (nft table inet hoguard_fallback)
  forwarding: ipv4 on, ipv6 on" status
hc check --root "$EMPTY"
check_eq "check, degraded: DEGRADED, exit 1" \
	"$RC $(grep -e 'hoguard:' -e verdict: -e '^1 network' <<<"$OUT" | paste -sd'|')" \
	"1   hoguard: degraded: fallback rules|  verdict: DEGRADED: fallback rules (nft table inet hoguard_fallback), hoguard is not loaded|1 network: 0 guarded, 0 ok, 0 can leak, 1 degraded"
t_json "status --json, degraded" 'd["loaded"] is False and d["fallback"] == "nft"' status --json
hc metrics
check_eq "metrics, degraded" "$(grep -e '^hoguard_up' -e '^hoguard_fallback_active' <<<"$OUT" | paste -sd' ')" \
	"hoguard_up 0 hoguard_fallback_active 1"
# The module loads later: the udev rule's command removes the fallback.
insmod "$KO" hostonly='vboxnet*' || die "insmod"
run_cmd=$(sed -n 's/.*RUN+="\([^"]*\)".*/\1/p' "$REPO/scripts/hoguard.rules")
check_eq "the udev rule runs hoguardctl fallback remove" "$run_cmd" \
	"/usr/sbin/hoguardctl fallback remove"
"$CTL" ${run_cmd#/usr/sbin/hoguardctl } >/dev/null
t_false "module loaded later: the fallback table is gone" has_fallback
t_rc "status after the late load: exit 0" 0 status
rmmod hoguard

# Without nft: IPv4 forwarding off on the host-only interfaces.
OUT=$(unshare -m sh -c 'mount --bind /dev/null "$1" && exec "$0" fallback boot' \
	"$CTL" "$(command -v nft)" 2>"$TMP/err")
RC=$?
check_eq "fallback boot without nft: exit 1, forwarding off on vboxnet0" \
	"$RC $OUT" "1 degraded: fallback rules: IPv4 forwarding off on vboxnet0, default"
check_eq "without nft: vboxnet0's and the default's IPv4 forwarding are 0" \
	"$(sysctl -n net.ipv4.conf.vboxnet0.forwarding net.ipv4.conf.default.forwarding | paste -sd' ')" "0 0"
t_false "without nft: the guest's IPv4 pings to lan are stopped" probe g2l4
t_true "without nft: host <-> guest kept" probe g2h4
check_eq "status says the sysctl fallback" "$("$CTL" status | head -n1)" \
	"hoguard: degraded: fallback rules (IPv4 forwarding off on the host-only interfaces)"
"$CTL" fallback remove >/dev/null
sysctl -qw net.ipv4.ip_forward=1
rm -f /etc/modprobe.d/hoguard.conf /etc/modprobe.d/hoguard-test.conf

section "done"
summary
[ "$T_FAIL" -eq 0 ]
