#!/usr/bin/python3
"""One operation with the N-th fault-injection point of its task failed.

Used by tests/debug-kernel/faults.sh on the debug kernel. The kernel's
systematic fault injection (/proc/PID/fail-nth, see the kernel's
Documentation/fault-injection/fault-injection.rst) makes the N-th call of
a fault-injection point made by one task fail, whichever it is: here only
the functions armed in /sys/kernel/debug/fail_function (and failslab when
faults.sh lets its points count) are such points.

    failnth.py N write FILE VALUE    write(2) VALUE to FILE, opened first
    failnth.py N read FILE           read(2) FILE, opened first
    failnth.py N run CMD [ARG...]    run CMD (fail-nth is kept over exec)
    failnth.py N finit KO [PARAMS]   finit_module(2) KO with PARAMS
                                     (FAILNTH_TRACE: traced, see Trace)

Prints one line, "STATUS LEFT": STATUS is ok, an errno name (ENOMEM...)
or exit=CODE (run); LEFT is what remained of N afterwards: 0 if the N-th
point was reached (and failed), else N minus the points passed. N = 0
injects nothing.
"""
import ctypes
import errno
import os
import sys

SYS_FINIT_MODULE = 313  # x86_64


class Nth:
    """A task's fail-nth, through a file opened beforehand: once armed,
    opening it would be allocations of the task's own, which count when
    failslab's points do (faults.sh's module load)."""

    def __init__(self, pid):
        path = f"/proc/{pid}/fail-nth"
        # a kernel without fault injection (HOGUARD_FAULTS_DRY): no file
        self.fd = os.open(path, os.O_RDWR) if os.path.exists(path) else None

    def set(self, n):
        if self.fd is not None:
            os.pwrite(self.fd, b"%d" % n, 0)
        elif n:
            sys.exit("failnth.py: no fail-nth: kernel without fault injection")

    def get(self):
        if self.fd is None:
            return 0
        return int(os.pread(self.fd, 32, 0))


class Trace:
    """With FAILNTH_TRACE=TRACEFS (finit): the kernel's event tracing on
    for this process alone, and markers around the system call, so that
    the events of the call can be told from the rest (faults.sh's module
    load; the markers' writes allocate nothing, which the count checks)."""

    def __init__(self, tracefs):
        self.dir = tracefs
        if not tracefs:
            return
        self.put("set_event_pid", str(os.getpid()))
        self.put("tracing_on", "1")
        self.marker = os.open(os.path.join(tracefs, "trace_marker"), os.O_WRONLY)

    def put(self, name, value):
        fd = os.open(os.path.join(self.dir, name), os.O_WRONLY | os.O_TRUNC)
        os.write(fd, value.encode())
        os.close(fd)

    def mark(self, text):
        if self.dir:
            os.write(self.marker, text.encode())

    def stop(self):
        if self.dir:
            self.put("tracing_on", "0")
            os.close(self.marker)


def errname(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def main():
    n = int(sys.argv[1])
    op = sys.argv[2]
    if op in ("write", "read"):
        path = sys.argv[3]
        fd = os.open(path, os.O_WRONLY if op == "write" else os.O_RDONLY)
        data = sys.argv[4].encode() if op == "write" else None
        st = "ok"
        me = Nth("thread-self")
        me.set(n)
        try:
            if op == "write":
                os.write(fd, data)
            else:
                os.read(fd, 1 << 20)
        except OSError as e:
            st = errname(e)
        left = me.get()
        me.set(0)
        os.close(fd)
    elif op == "finit":
        fd = os.open(sys.argv[3], os.O_RDONLY)
        params = (sys.argv[4] if len(sys.argv) > 4 else "").encode()
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        # a first call, so that ctypes has set up what it needs: EBADF
        libc.syscall(SYS_FINIT_MODULE, -1, params, 0)
        me = Nth("thread-self")
        trace = Trace(os.environ.get("FAILNTH_TRACE"))
        me.set(n)
        trace.mark("failnth-start")
        r = libc.syscall(SYS_FINIT_MODULE, fd, params, 0)
        e = ctypes.get_errno()
        trace.mark("failnth-end")
        left = me.get()
        me.set(0)
        trace.stop()
        st = "ok" if r == 0 else errno.errorcode.get(e, str(e))
        os.close(fd)
    elif op == "run":
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                Nth("self").set(n)
                os.execvp(sys.argv[3], sys.argv[3:])
            finally:
                os._exit(127)
        # the child's count, read while it is a zombie
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        left = Nth(pid).get()
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        st = "ok" if code == 0 else f"exit={code}"
    else:
        sys.exit(f"failnth.py: unknown operation {op}")
    print(st, left)


if __name__ == "__main__":
    main()
