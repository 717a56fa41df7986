"""What a test may leave behind: open sockets, running threads, child processes.

This module owns the "nothing is left behind" rule. ``snapshot()`` records what this
process has now; ``assert_no_leaks(before)`` gives whatever appeared since a moment to go
away (joining threads, re-reading ``/proc``) and raises ``AssertionError`` naming what is
still there::

    before = snapshot()
    ...                                  # start servers, run student code, stop them
    assert_no_leaks(before)              # AssertionError: the test left behind: ...

Sockets come from ``/proc/self/fd`` (``socket:[inode]``), threads from ``threading``,
child processes from ``/proc`` (a process whose parent is this one, zombies included).
A check that finds nothing costs well under a millisecond.
"""

import dataclasses
import os
import socket
import sys
import threading
import time

__all__ = ["Snapshot", "snapshot", "leftovers", "assert_no_leaks"]

POLL_START, POLL_MAX = 0.002, 0.05  # the polling interval while waiting for sockets and processes

_FAMILIES = {socket.AF_INET: "TCP/IPv4", socket.AF_INET6: "TCP/IPv6", socket.AF_UNIX: "Unix"}
_TYPES = {socket.SOCK_STREAM: "stream", socket.SOCK_DGRAM: "datagram"}


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What this process had open at one moment."""

    sockets: frozenset  # (fd, inode) pairs
    threads: frozenset  # threading.Thread objects
    children: frozenset  # pids

    def __repr__(self):
        return f"Snapshot({len(self.sockets)} sockets, {len(self.threads)} threads, {len(self.children)} children)"


def _sockets():
    found = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # closed meanwhile, or the listing's own fd
            continue
        if target.startswith("socket:["):
            found.add((int(name), int(target[8:-1])))
    return frozenset(found)


def _children():
    # Strategy: waitid(WNOWAIT) answers "no children at all" in microseconds and reaps
    # nothing; only when there are some do we scan /proc for their parent pid.
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return frozenset()
    me = os.getpid()
    return frozenset(pid for pid, (ppid, _, _) in _processes().items() if ppid == me)


def _processes():
    """pid -> (ppid, state, name) for every process we can see."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
        table[int(name)] = (int(ppid), state, comm)
    return table


def snapshot():
    """This process's open sockets, live threads and child processes, now."""
    return Snapshot(_sockets(), frozenset(t for t in threading.enumerate() if t.is_alive()), _children())


@dataclasses.dataclass(frozen=True)
class _Leftovers:
    sockets: tuple
    threads: tuple
    children: tuple

    def __bool__(self):
        return bool(self.sockets or self.threads or self.children)


def _compare(before):
    threads = tuple(t for t in threading.enumerate() if t.is_alive() and t not in before.threads)
    return _Leftovers(tuple(sorted(_sockets() - before.sockets)), threads,
                      tuple(sorted(_children() - before.children)))


def leftovers(before):
    """Descriptions of what exists now and did not at ``before`` (no waiting)."""
    return _describe(_compare(before))


def assert_no_leaks(before, timeout=2.0, *, after_timeout=None):
    """Raise ``AssertionError`` naming what appeared since ``before`` and is still there.

    Waits up to ``timeout`` seconds (``after_timeout`` is the same knob under the name the
    contract uses) for it to go: joins new threads, then re-reads sockets and processes
    at a short, growing interval. Returns at once when nothing leaked.
    """
    __tracebackhide__ = True  # noqa: F841
    if after_timeout is not None:
        timeout = after_timeout
    left = _compare(before)
    end = time.monotonic() + timeout
    delay = POLL_START
    while left and time.monotonic() < end:
        for thread in left.threads:
            thread.join(max(0.0, end - time.monotonic()))
        time.sleep(min(delay, max(0.0, end - time.monotonic())))
        delay = min(delay * 2, POLL_MAX)
        left = _compare(before)
    if left:
        lines = "\n".join(f"  - {line}" for line in _describe(left))
        raise AssertionError(f"the test left behind:\n{lines}\n"
                             "Close sockets, stop servers (join their threads) and wait for child processes "
                             "before the test ends.")


def _describe(left):
    processes = _processes() if left.children else {}
    return ([_describe_socket(fd, inode) for fd, inode in left.sockets]
            + [_describe_thread(t) for t in left.threads]
            + [_describe_process(pid, processes.get(pid)) for pid in left.children])


def _describe_socket(fd, inode):
    where = f"socket fd {fd} (inode {inode})"
    try:
        if os.readlink(f"/proc/self/fd/{fd}") != f"socket:[{inode}]":
            return where + ", closed while being described"
        with socket.socket(fileno=os.dup(fd)) as sock:  # a duplicate: the leaked fd stays as it is
            family = _FAMILIES.get(sock.family, str(sock.family))
            if sock.family != socket.AF_UNIX:
                family = family.replace("TCP", "UDP") if sock.type == socket.SOCK_DGRAM else family
            else:
                family += f" {_TYPES.get(sock.type, sock.type)}"
            local = _address(sock.getsockname())
            try:
                remote = _address(sock.getpeername())
            except OSError:
                remote = None
            listening = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
    except OSError as exc:
        return f"{where}: {exc}"
    if listening:
        return f"{where}: {family} listening on {local}"
    return f"{where}: {family} {local}" + (f" connected to {remote}" if remote else " (not connected)")


def _address(addr):
    if isinstance(addr, tuple):
        return f"{addr[0]}:{addr[1]}"
    return repr(addr) if addr else "(unnamed)"


def _describe_thread(thread):
    kind = "daemon thread" if thread.daemon else "thread"
    frame = sys._current_frames().get(thread.ident)
    where = ""
    if frame is not None:
        where = f", at line {frame.f_lineno} of {frame.f_code.co_name} ({os.path.basename(frame.f_code.co_filename)})"
    return f"{kind} {thread.name!r} still running{where}"


def _describe_process(pid, info):
    if info is None:
        return f"child process {pid}"
    _, state, name = info
    if state == "Z":
        return f"child process {pid} ({name}) exited but was never waited for (a zombie)"
    return f"child process {pid} ({name}) still running"
