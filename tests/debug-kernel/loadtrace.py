#!/usr/bin/python3
"""The failslab points of one traced module load, in order.

Used by tests/debug-kernel/faults.sh's module-load sweep on the debug
kernel (6.1, SLUB). Reads the text of the kernel's trace buffer (stdin)
after `failnth.py N finit` ran with FAILNTH_TRACE, with the events
kmem:kmalloc, kmem:kmem_cache_alloc and module:module_load and the
stacktrace option on, and the module still loaded (so that its frames
are named). Every slab allocation passes one failslab point
(slab_pre_alloc_hook()) and emits one of the two kmem events; the events
counted are those that make a point count in the task's fail-nth with
faults.sh's failslab settings (its VM booted with every slab cache but
those of UNCOUNTED marked for failslab, cache-filter on, ignore-gfp-wait
off): made in task context (fail-nth ignores interrupts), not
__GFP_NOFAIL, not from an UNCOUNTED cache, and for kmalloc not a large
one (over KMALLOC_MAX_CACHE_SIZE, 8 KiB: the page allocator's, whose
points faults.sh keeps out of the count).

Prints "points N BOUNDARY", N the points between the markers, BOUNDARY
how many of them came before module:module_load (the loader is done with
the parameters and sysfs, and do_init_module(), hog_init() first, runs),
then one line per point, "I PHASE FRAME": PHASE "load" or "init",
FRAME the innermost hoguard frame of its stack, or "-". The stack lines
name a function without its module ("=> hog_hostonly_set"): hoguard's
are those named hog_*, which no function of the kernel is; once the
module's init text is freed its frames are bare addresses, but every
point from module:module_load on is swept anyway.

Each point also gets a KEY, the last word of its line: the event, the
call site (a function of the kernel with its offset, or "module" for one
of hoguard's, whose address changes from load to load and is bare once
the module is gone), the size asked and the GFP flags, then "#K" for the
K-th point of the load with these. The same allocation has the same key
in two loads, so that faults.sh can tell whether the allocation a load
failed is the one it meant.

    loadtrace.py --failed <TRACE: a load with fail-nth's point failed

prints "failed I KEY" for the point whose allocation returned NULL (the
kmem events are emitted after the allocation, failed or not), I its index
in that load, then "points N BOUNDARY" ("-" for a load refused before
do_init_module()). faults.sh compares KEY with the reference load's key
of the point it meant to fail.
"""
import re
import sys

KMALLOC_MAX_CACHE_SIZE = 8192
NULL = "ptr=0000000000000000 "
EVENT = re.compile(r"^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+(\S+)\s+[\d.]+:\s+([\w<> ]+?):\s?(.*)$")


def site(rest):
    m = re.search(r"call_site=(\S+)", rest)
    cs = m.group(1) if m else "?"
    if cs.startswith("0x") or cs.startswith("hog_"):
        return "module"
    return cs.split("/")[0]


def key(event, rest, seen):
    req = re.search(r"bytes_req=(\d+)", rest)
    gfp = re.search(r"gfp_flags=(\S+)", rest)
    k = "%s|%s|%s|%s" % (event, site(rest), req.group(1) if req else "?",
                         gfp.group(1) if gfp else "?")
    seen[k] = seen.get(k, 0) + 1
    return "%s#%d" % (k, seen[k])


# The caches faults.sh's boot leaves out of failslab (slub_debug=A;-,...),
# by the call sites that allocate from them on 6.1: the radix tree's and
# xarray's nodes (the IDs of sysfs entries: how many a load needs, and
# where, changes from load to load), vmalloc's areas (a per-CPU preload),
# and kmemleak's own objects.
UNCOUNTED = ("radix_tree_node_alloc", "__radix_tree_preload", "xas_alloc",
             "xas_nomem", "alloc_vmap_area", "preload_this_cpu_lock",
             "__create_object", "create_object", "kmemleak_scan_area",
             "add_scan_area")


def read(lines):
    """The events between the markers, in order: [event, flags, rest,
    stack]; None if the end marker is missing."""
    events = []
    inside = False
    last = None
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith(" => "):
            if last is not None:
                last[3].append(line[4:])
            continue
        m = EVENT.match(line)
        if not m:
            continue
        flags, event, rest = m.group(4), m.group(5), m.group(6)
        if event == "<stack trace>":
            continue
        last = None
        if event == "tracing_mark_write":
            if rest.startswith("failnth-start"):
                inside = True
            elif rest.startswith("failnth-end"):
                return events
            continue
        if inside:
            last = [event, flags, rest, []]
            events.append(last)
    return None


def counted(ev):
    """Whether the event's allocation is a point of the task's fail-nth."""
    event, flags, rest, _ = ev
    if event not in ("kmalloc", "kmem_cache_alloc"):
        return False
    if len(flags) > 2 and flags[2] in "ZzHhs":
        return False
    if "__GFP_NOFAIL" in rest:
        return False
    m = re.search(r"call_site=([^+\s.]+)", rest)
    if event == "kmem_cache_alloc" and m and m.group(1) in UNCOUNTED:
        return False
    if event == "kmalloc":
        req = re.search(r"bytes_req=(\d+)", rest)
        if req and int(req.group(1)) > KMALLOC_MAX_CACHE_SIZE:
            return False
    return True


def main():
    failed_mode = sys.argv[1:] == ["--failed"]
    events = read(sys.stdin)
    if events is None:
        sys.exit("loadtrace.py: no end marker in the trace (lost events?)")
    points = []
    failed = []
    seen = {}
    boundary = None
    for ev in events:
        event, _, rest, stack = ev
        if event == "module_load":
            boundary = len(points)
            continue
        if not counted(ev):
            continue
        frame = "-"
        for f in stack:
            if f.startswith("hog_"):
                frame = f.split("+")[0]
                break
        pt = [len(points) + 1, frame, key(event, rest, seen)]
        points.append(pt)
        if NULL in rest:
            failed.append(pt)
    if failed_mode:
        for i, _, k in failed:
            print("failed", i, k)
        print("points", len(points), "-" if boundary is None else boundary)
        return
    if boundary is None:
        sys.exit("loadtrace.py: no module_load event between the markers")
    print("points", len(points), boundary)
    for i, frame, k in points:
        print(i, "load" if i <= boundary else "init", frame, k)


if __name__ == "__main__":
    main()
