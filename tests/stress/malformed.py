#!/usr/bin/python3
"""Stress part a: hostile writes to every writable parameter of hoguard.

Run by tests/stress/stress.sh inside the test VM, with the module loaded and
the topology of lib.sh up. For each writable parameter it makes at least 100
distinct malformed or non-canonical writes (random bytes, NULs, overlong
names, 4096-byte values, deep +/- sequences, out-of-range prefixes,
IPv4-mapped IPv6, duplicate and overlapping entries, whitespace, uppercase
hex, leading zeros, every limit exceeded), each with one write(2) of exactly
those bytes, and checks:

  * a refused write fails with the documented errno (EINVAL; ENOSPC for a
    full list; ENOENT for removing what is not there), logs exactly one
    `hoguard: ` line (every parameter: the bools inbound/log/monitor too,
    since 4694451), and leaves every parameter and /proc/net/hoguard
    byte-identical; (sysfs hands a module at most 4096 bytes and cuts a
    longer write there: hostonly and subnets refuse a value of 4096 bytes
    or more with E2BIG rather than apply part of it; the bools judge the
    first 4096 bytes)
  * an accepted one reads back in the documented canonical form;
  * after each parameter's batch the guard still holds: datagrams from the
    host-only guest to lan are dropped, exactly, drops_forward exactly up.

Prints one line per failed write (and a summary line per parameter), the
figures, and `N passed, M failed` (its own counts; stress.sh adds them up).

The random writes come from HOGUARD_STRESS_SEED (stress.sh draws a new one
each run and prints it; setting it reproduces a run). `malformed.py --plan`
prints how many checks a run with that seed makes, touching nothing: every
write makes a fixed number of checks whatever its outcome, so the count
depends on the seed only.
"""

import errno
import ipaddress
import os
import random
import re
import subprocess
import sys
import time

P = "/sys/module/hoguard/parameters/"
READABLE = ["hostonly", "subnets", "guarded", "learn", "inbound", "log",
            "monitor", "drops_forward", "drops_inbound", "drops_postrouting"]
BASE = {
    "hostonly": b"vmnet1,vbox*\n",
    "subnets": b"203.0.113.128/25,2001:db8:9::/48\n",
    "learn": b"Y\n", "inbound": b"Y\n", "log": b"N\n", "monitor": b"N\n",
}
BOOLS = ["learn", "inbound", "log", "monitor"]
DRY = sys.argv[1:] == ["--plan"]

rng = random.Random(int(os.environ.get("HOGUARD_STRESS_SEED", "5")))
passed = failed = 0
tried = {}
E = errno.EINVAL


def check(ok, what):
    global passed, failed
    if DRY:
        passed += 1
        return True
    if ok:
        passed += 1
    else:
        failed += 1
        if failed <= 60:
            print("FAIL a: " + what, flush=True)
        elif failed == 61:
            print("FAIL a: ... (further failures counted, not shown)")
    return ok


def read(name):
    if DRY:
        return b"0"
    try:
        with open(P + name, "rb") as f:
            return f.read()
    except OSError as e:
        return ("<%s>" % errno.errorcode.get(e.errno, e.errno)).encode()


def proc():
    if DRY:
        return b""
    with open("/proc/net/hoguard", "rb") as f:
        return f.read()


def snapshot():
    return tuple(read(n) for n in READABLE) + (proc(),)


def write(name, data):
    if DRY:
        return 0
    fd = os.open(P + name, os.O_WRONLY)
    try:
        os.write(fd, data)
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


class Kmsg:
    """The `hoguard: ` lines logged since the last call."""

    def __init__(self):
        if DRY:
            return
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)

    def lines(self):
        out = []
        if DRY:
            return out
        while True:
            try:
                rec = os.read(self.fd, 8192)
            except BlockingIOError:
                return out
            except OSError as e:
                if e.errno == errno.EPIPE:  # overwritten: skip ahead
                    continue
                raise
            msg = rec.split(b";", 1)[1].split(b"\n", 1)[0]
            if msg.startswith(b"hoguard: "):
                out.append(msg.decode(errors="replace"))


kmsg = Kmsg()


def show(b):
    s = repr(b[:70])
    return s + ("...(%d bytes)" % len(b) if len(b) > 70 else "")


def restore():
    for name, val in BASE.items():
        if read(name) != val and not DRY:
            r = write(name, val)
            if r:
                sys.exit("a: restoring %s failed: %s" % (name, os.strerror(r)))
    kmsg.lines()


def case(name, data, want, distinct=True):
    """Write DATA to NAME; WANT is an errno, or the bytes it must read back."""
    if distinct:
        tried.setdefault(name, set()).add(data)
    before = snapshot()
    kmsg.lines()
    got = write(name, data)
    logged = kmsg.lines()
    after = snapshot()
    what = "%s <- %s" % (name, show(data))
    if isinstance(want, int):
        ok = check(got == want, "%s: %s, want %s" % (
            what, errno.errorcode.get(got, "accepted") if got else "accepted",
            errno.errorcode[want]))
        check(len(logged) == 1, "%s: %d log lines %r, want 1" %
              (what, len(logged), logged))
        check(after == before, "%s: config changed: %s" % (
            what, [(READABLE + ["proc"])[i] for i in range(len(after))
                   if after[i] != before[i]]))
        return ok
    ok = check(got == 0, "%s: refused (%s), want it read back as %s" % (
        what, errno.errorcode.get(got, got), show(want)))
    if name != "reset_counters":
        check(ok and read(name) == want, "%s: reads back %s, want %s" % (
            what, show(read(name)), show(want)))
    restore()
    return ok


# ---------------------------------------------------------------------------
# The guard, exactly: 3 datagrams per family from g1 to lan, all dropped.

def sh(cmd):
    if DRY:
        return ""
    return subprocess.run(cmd, shell=True, check=True, capture_output=True,
                          text=True).stdout


def lan_ho():
    out = sh("ip netns exec lan nft list counters table inet st")
    v, name = {}, None
    for line in out.splitlines():
        w = line.split()
        if w[:1] == ["counter"]:
            name = w[1]
        elif w[:1] == ["packets"]:
            v[name] = int(w[1])
    return v.get("ho4p", 0) + v.get("ho6p", 0)


def send_g1(n):
    sh("ip netns exec g1 bash -c 'for i in $(seq %d); do "
       "echo x >/dev/udp/198.51.100.2/5000; echo x >/dev/udp/2001:db8:100::2/5000;"
       " done' 2>/dev/null || true" % n)


def guard_holds(label):
    r0, d0 = lan_ho(), int(read("drops_forward"))
    send_g1(3)
    r1, d1 = lan_ho(), int(read("drops_forward"))
    check(r1 == r0 and d1 - d0 == 6,
          "a: guard after %s: %d host-only datagrams arrived at lan, "
          "drops_forward +%d; want 0 and +6" % (label, r1 - r0, d1 - d0))
    if not DRY:
        print("a: guard holds after the %s writes: 6 sent, %d arrived, "
          "drops_forward +%d" % (label, r1 - r0, d1 - d0), flush=True)


# ---------------------------------------------------------------------------
# Generators

INVALID = bytes(range(1, 33)) + bytes(range(0x7f, 0x100))


def rand_bad(minlen=1, maxlen=60):
    """Random bytes, no NUL or comma, with at least one byte no element may
    contain (not a lone trailing newline)."""
    n = rng.randint(minlen, maxlen)
    b = bytearray(rng.choice([c for c in range(1, 256) if c != 44])
                  for _ in range(n))
    pos = rng.randrange(n)
    b[pos] = rng.choice([c for c in INVALID if c != 10])
    return bytes(b)


def kstrtobool(s):
    """The kernel's kstrtobool on the C string S: True, False or None."""
    if not s:
        return None
    c = s[:1]
    if c in b"yYtT1":
        return True
    if c in b"nNfF0":
        return False
    if c in b"oO" and len(s) > 1:
        return {b"n": True, b"N": True, b"f": False, b"F": False}.get(s[1:2])
    return None


def kstrtouint_is_1(s):
    m = re.fullmatch(rb"\+?([0-9]+)\n?", s)
    return bool(m) and int(m.group(1)) == 1


def cstr(b):
    return b.split(b"\0", 1)[0]


# ---------------------------------------------------------------------------

def random_cases(n, sizes, valid):
    """40 distinct random-byte writes to n, some as +/- edits, some behind
    a valid entry; every one must be refused with the config unchanged."""
    seen = 0
    while seen < 40:
        v = rand_bad(1, rng.choice(sizes))
        if rng.random() < 0.3:
            v = rng.choice([b"+", b"-"]) + v
        if rng.random() < 0.3:
            v = valid + v
        if v in tried[n]:
            continue
        seen += 1
        case(n, v, E)


def test_hostonly():
    n = "hostonly"
    base = BASE[n]
    for v in [b"\0", b"\0\n", b"\0vmnet1", b"\0\0\0", b"\0,vmnet1\n"]:
        case(n, v, E)   # the module sees "": not a lone newline
    case(n, b"vmnet1\0garbage", b"vmnet1\n")   # a C string: truncated
    case(n, b"vm\0net1", b"vm\n")
    for k in [16, 17, 20, 32, 64, 255, 1000, 4095]:
        case(n, b"a" * k, E)
    case(n, b"a" * 4096, errno.E2BIG)
    case(n, b"a" * 16 + b"*", E)
    case(n, b"a" * 15 + b"+\n", b"a" * 15 + b"*\n")
    case(n, b"vmnet1," + b"b" * 16, E)
    case(n, b"a" * 4097, errno.E2BIG)   # sysfs passes 4096 bytes on
    case(n, b"a," * 2047 + b"ab", errno.E2BIG)        # 4096 bytes
    case(n, b"a," * 2046 + b"ab", b"a,ab\n")          # 4094 bytes
    case(n, b",".join(b"x%d" % i for i in range(900))[:4096].rsplit(b",", 1)[0],
         errno.ENOSPC)
    case(n, b"," * 4096, errno.E2BIG)
    case(n, b"," * 4095, E)
    for v in [b" vmnet1", b"vmnet1 ", b"vm net1", b"\tvmnet1", b"vmnet1\t",
              b"vmnet1\r", b"vmnet1\r\n", b"vmnet1\n\n", b"\nvmnet1",
              b"vmnet1,\n", b" ", b"\t", b"\n\n", b"\v", b"\f", b"a, b",
              b"a ,b", b"\xa0vmnet1", b"vmnet1\x85"]:
        case(n, v, E)
    for v in [b",", b",,", b"a,", b",a", b"a,,b", b"a/b", b"a:b", b"a*b",
              b"*", b"**", b"*a", b"+", b"-", b"+*", b"-*", b"caf\xc3\xa9",
              b"\x7f", b"a\x01b", b"eth0:1", b".", b"..", b"+.", b"-..",
              b"vmnet1,..", b"a*,*"]:
        case(n, v, E)
    # operators: one leading + or - selects the operation; a name starting
    # with + or - could not be written back (tests/unit: test_fuzz_found)
    for v in [b"++vmnet2", b"+-vmnet2", b"--vmnet1", b"-+vmnet1",
              b"+++a", b"+-+-a", b"+,a", b"-,a", b"+a,,b", b"+\n", b"-\n",
              b"+ a", b"- vmnet1"]:
        case(n, v, E)
    for v in [b"-nothere", b"-vmnet1,nothere", b"-vbox", b"-vbox1",
              b"-vmnet1*", b"-VMNET1", b"-vmnet1,vmnet1"]:
        case(n, v, errno.ENOENT)
    # canonicalised
    case(n, b"vmnet1,vmnet1", b"vmnet1\n")
    case(n, b"vbox+,vbox*", b"vbox*\n")
    case(n, b"vmnet1,vmnet1*", b"vmnet1,vmnet1*\n")
    case(n, b"+vmnet1", base)
    case(n, b"-vbox+", b"vmnet1\n")
    case(n, b"\n", b"\n")
    case(n, b"abcdefghijklmno\n", b"abcdefghijklmno\n")
    # limits: 64 patterns, then one more
    case(n, b",".join(b"p%d" % i for i in range(65)), errno.ENOSPC)
    case(n, b",".join(b"p%d" % i for i in range(64)) + b",p0",
         b",".join(b"p%d" % i for i in range(64)) + b"\n")
    # deep +/- sequences: 62 adds to the full list, the 65th refused, then
    # removals back, each step read back against a model
    model = [b"vmnet1", b"vbox*"]
    for i in range(62):
        v = b"+q%d" % i if i % 2 else b"+q%d*" % i
        tried.setdefault(n, set())
        model.append(v[1:])
        r = write(n, v)
        check(r == 0 and read(n) == b",".join(model) + b"\n",
              "hostonly: deep sequence step %d (%s): %s, reads %s" %
              (i, v, r, show(read(n))))
    case(n, b"+one-more", errno.ENOSPC)
    case(n, b"+q1,one-more", errno.ENOSPC)
    case(n, b"-q1,q1", errno.ENOENT)
    for i in range(61, -1, -1):
        v = b"-q%d" % i if i % 2 else b"-q%d+" % i
        model.remove(v[1:].replace(b"+", b"*"))
        r = write(n, v)
        check(r == 0 and read(n) == b",".join(model) + b"\n",
              "hostonly: deep sequence removal %d (%s): %s" % (i, v, r))
    check(read(n) == base, "hostonly: back to the base after the sequence")
    kmsg.lines()
    random_cases(n, [8, 15, 40, 200], b"vmnet1,")


def test_subnets():
    n = "subnets"
    base = BASE[n]
    for v in [b"\0", b"\0\n", b"\0192.0.2.0/24", b"\0\0", b"\0,1.2.3.4"]:
        case(n, v, E)
    case(n, b"192.0.2.0/24\0garbage", b"192.0.2.0/24\n")
    case(n, b"192.0.2.0/2\0" b"4", b"192.0.0.0/2\n")
    bad = [
        # out of range
        b"192.0.2.0/33", b"192.0.2.0/-1", b"192.0.2.0/999", b"192.0.2.0/1000",
        b"192.0.2.0/4294967296", b"256.0.0.1", b"192.0.2.256", b"1.2.3.4.5",
        b"1.2.3", b"1", b"12345::", b"fffff::", b"1:2:3:4:5:6:7:8:9",
        b"1:2:3:4:5:6:7", b"::/129", b"2001:db8::/200", b"::1/4294967424",
        b"2001:db8::/", b"192.0.2.0/", b"/24", b"/",
        # leading zeros (not in IPv6 groups: those are canonicalised)
        b"192.000.2.0/24", b"192.0.2.01", b"010.0.0.0/8", b"192.0.2.0/024",
        b"192.0.2.0/00", b"::1/0128", b"2001:db8::/032", b"00001::",
        b"::192.0.02.1",
        # IPv4-mapped
        b"::ffff:192.0.2.1", b"::ffff:192.0.2.0/120", b"::ffff:0:0/96",
        b"::ffff:c000:201", b"0:0:0:0:0:ffff:c000:0201/128",
        b"::FFFF:1.2.3.4", b"::ffff:0.0.0.0/96", b"0::ffff:10.0.0.0/104",
        # whitespace
        b" 192.0.2.0/24", b"192.0.2.0/24 ", b"192.0.2.0 /24", b"192.0.2.0/ 24",
        b"192.0.2.0/24, 198.51.100.0/24", b"192.0.2.0/24\r\n", b"\n192.0.2.0/24",
        b"192.0.2.0/24\n\n", b"\t2001:db8::/32", b"2001:db8:: /32",
        # notation that is not an address
        b"fe80::1%eth0", b"[2001:db8::1]", b"2001:db8::1/64/64", b"0x1.2.3.4",
        b"1.2.3.4a", b"1..2.3", b".1.2.3", b"1.2.3.", b":", b":::", b"1:::2",
        b"1::2::3", b":1::", b"1::2:", b"::g", b"2001:db8::1.2.3", b"localhost",
        b"192.0.2.0/24,,198.51.100.0/24", b"192.0.2.0/24,", b",192.0.2.0/24",
        b",", b"\xff", b"192.0.2.0\xff/24", b"1" * 65, b"1" * 4095,
        b"," * 4095, b"192.0.2.0/24," * 300 + b"x",
        # operators
        b"+", b"-", b"+\n", b"-\n", b"+,", b"-,", b"++192.0.2.0/24",
        b"+-192.0.2.0/24", b"--203.0.113.128/25", b"-+203.0.113.128/25",
        b"+++", b"+,192.0.2.0/24", b"+192.0.2.0/24,,", b"+ 192.0.2.0/24",
    ]
    for v in bad:
        case(n, v, E)
    for v in [b"1" * 4096, b"," * 4096, b"1" * 4097]:
        case(n, v, errno.E2BIG)
    for v in [b"-203.0.113.0/24", b"-203.0.113.128/26", b"-203.0.113.129/32",
              b"-203.0.113.128/25,192.0.2.0/24", b"-2001:db8:9::/47",
              b"-192.0.2.0/24"]:
        case(n, v, errno.ENOENT)
    # canonicalised
    for v, want in [
        (b"192.0.2.0/24,192.0.2.0/24", b"192.0.2.0/24\n"),
        (b"192.0.2.1/24,192.0.2.2/24", b"192.0.2.0/24\n"),
        (b"192.0.2.0/24,192.0.2.0/25,192.0.2.128/25",
         b"192.0.2.0/24,192.0.2.0/25,192.0.2.128/25\n"),
        (b"2001:db8::/32,2001:db8::1/32", b"2001:db8::/32\n"),
        (b"2001:db8::/32,192.0.2.0/24", b"192.0.2.0/24,2001:db8::/32\n"),
        (b"192.0.2.77/24", b"192.0.2.0/24\n"),
        (b"192.0.2.77", b"192.0.2.77/32\n"),
        (b"2001:DB8::/32", b"2001:db8::/32\n"),
        (b"2001:Db8:A::/48", b"2001:db8:a::/48\n"),
        (b"FFFF::/16", b"ffff::/16\n"),
        (b"2001:0db8:0000::/32", b"2001:db8::/32\n"),
        (b"0000:0000::1", b"::1/128\n"),
        (b"2001:0DB8:0000:0001:0000:0000:0000:0001",
         b"2001:db8:0:1::1/128\n"),
        (b"::ffff:0:0/95", b"::fffe:0:0/95\n"),
        (b"0.0.0.0/0,::/0", b"0.0.0.0/0,::/0\n"),
        (b"+203.0.113.128/25", base),
        (b"+203.0.113.200/25", base),
        (b"-203.0.113.255/25", b"2001:db8:9::/48\n"),
        (b"\n", b"\n"),
        (b"192.0.2.0/24\n", b"192.0.2.0/24\n"),
    ]:
        case(n, v, want)
    # a whole page of prefixes, canonicalised
    big = b",".join(b"198.51.100.%d/32" % (i % 256) for i in range(300))
    big = big[:4096].rsplit(b",", 1)[0]
    want = sorted({ipaddress.ip_network(x.decode()) for x in big.split(b",")})
    case(n, big, b",".join(str(x).encode() for x in want) + b"\n")
    # random valid IPv6 in odd notations, canonical form from Python
    # (avoiding the v4-tail forms, which %pI6c prints differently)
    k = 0
    while k < 20:
        a = bytearray(rng.getrandbits(8) for _ in range(16))
        a[0] = 0x20
        a[1] = 0x01
        for g in rng.sample(range(8), rng.randint(0, 6)):
            a[2 * g:2 * g + 2] = b"\0\0"
        net = ipaddress.ip_network((bytes(a), rng.randint(0, 128)), strict=False)
        if net.network_address.packed[10:12] == b"\x5e\xfe":
            continue
        groups = ["%x" % int.from_bytes(a[i:i + 2], "big") for i in range(0, 16, 2)]
        txt = ":".join(rng.choice([g.upper(), g.zfill(4), g]) for g in groups)
        v = ("%s/%d" % (txt, net.prefixlen)).encode()
        if v in tried[n]:
            continue
        k += 1
        case(n, v, ("%s\n" % net).encode())
    # the 65536-prefix limit, through + writes of 128 prefixes
    r = write(n, b"\n")
    t = time.monotonic()
    for i in range(0, 65536, 128):
        v = b"+" + b",".join(b"2001:db8:%x::/48" % j for j in range(i, i + 128))
        r = write(n, v)
        if r:
            break
    check(r == 0, "subnets: 65536 prefixes through + writes: %s" %
          (os.strerror(r) if r else "ok"))
    kmsg.lines()
    if not DRY:
        print("a: 65536 prefixes listed through 512 writes of 128 in %.0f s" %
          (time.monotonic() - t), flush=True)
    case(n, b"+192.0.2.0/24", errno.ENOSPC)
    case(n, b"+2001:db8:ffff::/48,192.0.2.0/24", errno.ENOSPC)
    case(n, b"+2001:db8:1::/64", errno.ENOSPC)   # inside a listed one, not listed
    case(n, b"-192.0.2.0/24", errno.ENOENT)      # and the refused one is not there
    case(n, b"192.0.2.0/33", E)
    restore()
    random_cases(n, [8, 40, 64, 200], b"192.0.2.0/24,")


def test_bool(n):
    vals = set()
    for c in rng.sample(range(1, 256), 90):
        vals.add(bytes([c]))
    for c in rng.sample(range(1, 256), 20):
        vals.add(bytes([c, 10]))
    vals |= {b"yes", b"no", b"on", b"off", b"On", b"OFF", b"o", b"O", b"oo",
             b"ox", b"o\n", b" y", b"\ty", b"\ny", b"\0", b"\0y", b"y\0",
             b"true", b"false", b"enable", b"disable", b"2", b"-1", b"+1",
             b"10", b"01", b"Y" * 4096, b"x" * 4096, b"N" * 4096}
    for _ in range(40):
        vals.add(rand_bad(1, 30))
    for v in sorted(vals):
        b = kstrtobool(cstr(v))
        case(n, v, E if b is None else (b"Y\n" if b else b"N\n"))
    case(n, b"y" * 4097, b"Y\n")   # sysfs passes the first 4096 bytes on
    case(n, b"x" * 4097, E)


def test_reset():
    n = "reset_counters"
    vals = {b"0", b"2", b"-1", b"+2", b"1 ", b" 1", b"1\n\n", b"0x1", b"1a",
            b"a", b"\0", b"\0" b"1", b"11", b"1.0", b"\xd9\xa1", b"1e0",
            b"++1", b"+-1", b"\n", b"\t1", b"1\t", b"1,1", b"99999999999",
            b"4294967297", b"1" * 4096, b"0" * 4095 + b"1", b"0" * 4096,
            b"1\0" b"junk", b"01", b"+1", b"1\n", b"+01\n", b"001"}
    for c in rng.sample(range(1, 256), 80):
        vals.add(bytes([c]))
    for _ in range(30):
        vals.add(rand_bad(1, 20))
    for v in sorted(vals):
        if kstrtouint_is_1(cstr(v)):
            case(n, v, b"")
            check(read("drops_forward") == b"0\n",
                  "reset_counters <- %s: drops_forward reads %s after the reset"
                  % (show(v), read("drops_forward")))
            send_g1(1)   # counters not zero again, so a refusal shows
        else:
            case(n, v, E)
    case(n, b"2" * 4097, E)


def main():
    restore()
    send_g1(1)
    for name, fn in [("hostonly", test_hostonly), ("subnets", test_subnets)] + \
            [(b, lambda b=b: test_bool(b)) for b in BOOLS] + \
            [("reset_counters", test_reset)]:
        t = time.monotonic()
        fn()
        guard_holds(name)
        if not DRY:
            print("a: %s: %.0f s" % (name, time.monotonic() - t), flush=True)
    total = 0
    for name in ["hostonly", "subnets"] + BOOLS + ["reset_counters"]:
        k = len(tried.get(name, ()))
        total += k
        check(k >= 100, "%s: only %d distinct writes" % (name, k))
        if not DRY:
            print("a: %s: %d distinct malformed or non-canonical writes" % (name, k))
    if DRY:
        print(passed)
        return True
    print("a: %d distinct hostile writes in all, over %d parameters" %
          (total, len(tried)))
    print("%d passed, %d failed" % (passed, failed))
    return failed == 0


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
