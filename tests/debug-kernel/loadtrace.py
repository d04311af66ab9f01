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
faults.sh's failslab settings (cache-filter and ignore-gfp-wait off):
made in task context (fail-nth ignores interrupts), not __GFP_NOFAIL,
and for kmalloc not a large one (over KMALLOC_MAX_CACHE_SIZE, 8 KiB: the
page allocator's, whose points faults.sh keeps out of the count).

Prints "points N BOUNDARY", N the points between the markers, BOUNDARY
how many of them came before module:module_load (the loader is done with
the parameters and sysfs, and do_init_module(), hog_init() first, runs),
then one line per point, "I PHASE FRAME": PHASE "load" or "init",
FRAME the innermost hoguard frame of its stack, or "-". The stack lines
name a function without its module ("=> hog_hostonly_set"): hoguard's
are those named hog_*, which no function of the kernel is; once the
module's init text is freed its frames are bare addresses, but every
point from module:module_load on is swept anyway. A point under hoguard's
frames may be kmemleak's own (its object for hoguard's allocation, made
after it): failing it is absorbed (kmemleak falls back on its pool).
"""
import re
import sys

KMALLOC_MAX_CACHE_SIZE = 8192
EVENT = re.compile(r"^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+(\S+)\s+[\d.]+:\s+([\w<> ]+?):\s?(.*)$")


def main():
    points = []
    boundary = None
    inside = False
    seen_end = False
    last = None  # the point whose stack comes next
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line.startswith(" => "):
            if last is not None and last[1] == "-" and line.startswith(" => hog_"):
                last[1] = line[4:].split("+")[0]
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
                inside = False
                seen_end = True
            continue
        if not inside:
            continue
        if event == "module_load":
            boundary = len(points)
            continue
        if event not in ("kmalloc", "kmem_cache_alloc"):
            continue
        if len(flags) > 2 and flags[2] in "ZzHhs":
            continue
        if "__GFP_NOFAIL" in rest:
            continue
        if event == "kmalloc":
            req = re.search(r"bytes_req=(\d+)", rest)
            if req and int(req.group(1)) > KMALLOC_MAX_CACHE_SIZE:
                continue
        last = [len(points) + 1, "-"]
        points.append(last)
    if not seen_end:
        sys.exit("loadtrace.py: no end marker in the trace (lost events?)")
    if boundary is None:
        sys.exit("loadtrace.py: no module_load event between the markers")
    print("points", len(points), boundary)
    for i, frame in points:
        print(i, "load" if i <= boundary else "init", frame)


if __name__ == "__main__":
    main()
