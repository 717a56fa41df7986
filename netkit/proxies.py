"""Misbehaving proxies: one TCP proxy and one UDP proxy, each a set of seeded knobs.

This module owns ``tcp_proxy`` and ``udp_proxy``. A check puts one between the
student's code and a real peer to show what the network may legally do:

* TCP is a byte stream, not a message stream. ``chunk=1`` delivers one byte at a time
  (TCP_NODELAY, ``gap`` seconds apart), ``chunk="random"`` seeded sizes of 1..64,
  ``coalesce=True`` several writes as one; ``stall_after``/``stall_for`` stop in the
  middle of a message; ``close_after``, ``reset_after`` and ``half_close_after`` end it
  with a FIN, an RST (SO_LINGER 0) or a half-close after n bytes. ``direction`` says
  which way the knobs act (``"to_client"``, ``"to_server"`` or ``"both"``); the other
  way passes through untouched. ``lockstep=True`` sends each piece only once the receiver
  has read every byte before it (the kernel's socket table says, on Linux), so a late
  reader still gets one piece per recv(). ``proxy.recording`` (a ``netkit.wire.Recording``)
  holds every piece the proxy sent and every connect, FIN and RST, on every connection.
* UDP is datagrams that may be lost, duplicated, reordered or late. Each client
  datagram's fate is a pure function of the seed and its index (its arrival order), so
  the same seed and the same datagrams give the same ``proxy.report`` however the
  threads are scheduled. ``drop_first=n`` loses the first n (a retransmission drill).
  Replies are relayed to the client that sent last.
* ``lockstep_peer`` is the other extreme of a byte stream, with no proxy in between: a
  peer that sends a script in pieces, each only once the reader has taken every byte
  before it, so each recv() sees exactly one piece however late the reader starts;
  ``lockstep_proxy`` does the same in front of a real server.

Misbehaviour is configuration, not subclasses::

    with echo_server() as server, tcp_proxy(server, chunk=1, gap=0.002) as proxy:
        talk_to(proxy.address)
    print(proxy.recording.to_text())

Threads are daemon threads, joined on exit; every socket is closed; nothing is
written to stderr (an unexpected exception is kept in ``proxy.errors``).
"""

import contextlib
import fcntl
import itertools
import random
import selectors
import socket
import struct
import termios
import threading
import time
from dataclasses import dataclass, field

from .servers import LOOPBACK, Address, rst_on_close
from .wire import Recording

__all__ = ["tcp_proxy", "udp_proxy", "lockstep_peer", "lockstep_proxy", "TCPProxy", "UDPProxy", "UDPReport", "datagram_fate"]

BUFFER = 65536
COALESCE_WINDOW = 0.05  # coalesce: a write arriving within this idle time joins the batch
COALESCE_MAX = 1.0      # ... but a batch never waits longer than this in total
RANDOM_CHUNK = (1, 64)  # chunk="random": sizes drawn from this range
REORDER_HOLD = 0.2      # a reordered datagram waits this long at most for the next one
CONNECT_TIMEOUT = 5.0
JOIN_TIMEOUT = 2.0
LOCKSTEP_POLL = 0.0002  # seconds between two looks at whether the reader took the last piece
LOCKSTEP_GAP = 0.001    # where the kernel cannot say what the reader took: a pause between pieces
_BYTES_RECEIVED = 128   # offset of tcpi_bytes_received (u64) in Linux's struct tcp_info (4.1 on)
_NETLINK_SOCK_DIAG, _SOCK_DIAG_BY_FAMILY, _DIAG_INFO = 4, 20, 1 << (2 - 1)  # Linux's sock_diag: ask for tcp_info

#: direction knob -> the arrows the faults act on
AFFECTS = {"to_client": ("<-",), "to_server": ("->",), "both": ("->", "<-")}


def _target(target):
    """An ``Address`` from a tuple, an ``Address`` or anything with ``.address`` (FTPSite)."""
    target = getattr(target, "address", target)
    host, port = target
    return Address(host, port)


def _wake_pair():
    return socket.socketpair()


def _close_all(*socks):
    for sock in socks:
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()


class _Proxy:
    """What both proxies share: a listening socket on loopback, a serve thread, stop()."""

    def __init__(self, target):
        self.target = _target(target)
        self.address = None
        self.recording = Recording()
        self.errors = []
        self._stopping = threading.Event()
        self._wake_r = self._wake_w = self._thread = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _check_new(self):
        if self._thread is not None:
            raise RuntimeError(f"{self!r} was already started")

    def _start_thread(self, target, name):
        self._wake_r, self._wake_w = _wake_pair()
        self._thread = threading.Thread(target=self._guarded, args=(target,), name=name, daemon=True)
        self._thread.start()

    def _guarded(self, function, *args):
        """Run ``function`` in a thread, keeping any exception instead of printing it."""
        try:
            function(*args)
        except Exception as exc:  # noqa: BLE001  (kept for the test to look at, never printed)
            if not self._stopping.is_set():
                self.errors.append(exc)

    def _wake(self):
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def __repr__(self):
        state = "stopped" if self._stopping.is_set() else "running" if self._thread else "new"
        return f"<{type(self).__name__} {self.address} -> {self.target} {state}>"


# ---------------------------------------------------------------------------------------
# TCP


@dataclass(frozen=True)
class TCPFaults:
    """The TCP proxy's knobs, checked once (see ``tcp_proxy``)."""

    chunk: int | str | None = None
    coalesce: bool = False
    gap: float = 0.0
    stall_after: int | None = None
    stall_for: float | None = None
    close_after: int | None = None
    reset_after: int | None = None
    half_close_after: int | None = None
    direction: str = "to_client"
    seed: int = 0
    lockstep: bool = False

    def __post_init__(self):
        if not (self.chunk is None or self.chunk == "random" or (isinstance(self.chunk, int) and self.chunk > 0)):
            raise ValueError(f"chunk={self.chunk!r}: use None, a positive int or 'random'")
        if self.direction not in AFFECTS:
            raise ValueError(f"direction={self.direction!r}: use one of {sorted(AFFECTS)}")
        for name in ("stall_after", "close_after", "reset_after", "half_close_after"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"{name}={value!r}: use a byte count >= 0 or None")
        if not isinstance(self.coalesce, (bool, int, float)) or self.coalesce < 0:
            raise ValueError(f"coalesce={self.coalesce!r}: use True, False or a window in seconds")
        if self.gap < 0 or (self.stall_for is not None and self.stall_for < 0):
            raise ValueError(f"gap={self.gap!r}, stall_for={self.stall_for!r}: times are >= 0")

    @property
    def window(self):
        """Coalescing window in seconds (0: no coalescing)."""
        if self.coalesce is True:
            return COALESCE_WINDOW
        return float(self.coalesce or 0)

    def thresholds(self):
        """``[(byte count, action)]`` in the order they fire (stall before an end at n)."""
        table = (("stall_after", "stall"), ("half_close_after", "half_close"),
                 ("close_after", "close"), ("reset_after", "reset"))
        order = [action for _name, action in table]
        marks = [(getattr(self, name), action) for name, action in table if getattr(self, name) is not None]
        return sorted(marks, key=lambda mark: (mark[0], order.index(mark[1])))


_PASS_THROUGH = TCPFaults()


class _Flow:
    """One direction of one connection: what it has sent and what comes next."""

    def __init__(self, faults, rng):
        self.faults = faults
        self.rng = rng
        self.sent = 0
        self.pending = faults.thresholds()
        self.discard = False      # after a half-close: read and drop
        self.last_send = None
        self.room = self._next_size()  # bytes left in the current piece

    def _next_size(self):
        chunk = self.faults.chunk
        if chunk is None:
            return None
        return self.rng.randint(*RANDOM_CHUNK) if chunk == "random" else chunk

    def pieces(self, data):
        """Cut ``data`` where the plan says. Piece boundaries depend on the byte offset
        in the stream (and on where reads ended), never on timing."""
        while data:
            if self.room is None:
                yield data
                return
            piece, data = data[:self.room], data[self.room:]
            self.room -= len(piece)
            if self.room == 0:
                self.room = self._next_size()
            yield piece


class _Conn:
    """One proxied connection: the client's socket, the upstream socket and their state."""

    def __init__(self, number, client):
        self.number = number
        self.client = client
        self.upstream = None
        self.ending = None            # set once, by whoever ends the connection
        self.stop = threading.Event()  # wakes stalls and gaps
        self.lock = threading.Lock()
        self.thread = None

    def ends(self, arrow):
        """``(source, destination)`` sockets for bytes travelling ``arrow``."""
        return (self.client, self.upstream) if arrow == "->" else (self.upstream, self.client)


_OTHER = {"->": "<-", "<-": "->"}


class TCPProxy(_Proxy):
    """A TCP proxy on loopback with the knobs of ``TCPFaults`` (use ``tcp_proxy``)."""

    def __init__(self, target, faults=_PASS_THROUGH):
        super().__init__(target)
        self.faults = faults
        self.connections = 0
        self._conns = {}
        self._lock = threading.Lock()
        self._listener = None

    def start(self):
        """Listen on 127.0.0.1 (a port the kernel picks) and return the ``Address``."""
        self._check_new()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((LOOPBACK, 0))
            listener.listen(64)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self.address = Address(*listener.getsockname()[:2])
        self._start_thread(self._accept_loop, f"netkit-tcp-proxy-{self.address.port}")
        return self.address

    def stop(self):
        """Stop accepting, end every connection with a FIN both ways, join every thread."""
        self._stopping.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(JOIN_TIMEOUT)
        with self._lock:
            conns = list(self._conns.values())
        for conn in conns:
            self._finish(conn, "stop")
        for conn in conns:
            if conn.thread is not None:
                conn.thread.join(JOIN_TIMEOUT)
        _close_all(self._listener, self._wake_r, self._wake_w)

    # -- accepting ---------------------------------------------------------------

    def _accept_loop(self):
        numbers = itertools.count()
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                selector.select()
                if self._stopping.is_set():
                    return
                self._accept(next(numbers))

    def _accept(self, number):
        try:
            client, _address = self._listener.accept()
        except OSError:
            return
        conn = _Conn(number, client)
        with self._lock:
            self._conns[conn.number] = conn
            self.connections += 1
            conn.thread = threading.Thread(target=self._guarded, args=(self._serve, conn),
                                           name=f"netkit-tcp-proxy-conn-{conn.number}", daemon=True)
        conn.thread.start()

    def _serve(self, conn):
        """Connect upstream, pump both ways, then close both sockets."""
        rec = self.recording
        try:
            try:
                upstream = socket.create_connection(self.target, timeout=CONNECT_TIMEOUT)
            except OSError:
                # Nobody listens behind the proxy: the client meets a reset, as it would.
                rec.add(conn.number, "->", event="connect")
                rec.add(conn.number, "<-", event="reset")
                with contextlib.suppress(OSError):
                    rst_on_close(conn.client)
                return
            upstream.settimeout(None)
            with conn.lock:
                conn.upstream = upstream
                stopped = conn.ending is not None
            if stopped:
                return
            for sock in (conn.client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            rec.add(conn.number, "->", event="connect")
            rec.peers[conn.number] = self.target
            back = threading.Thread(target=self._guarded, args=(self._pump, conn, "<-"),
                                    name=f"netkit-tcp-proxy-conn-{conn.number}-back", daemon=True)
            back.start()
            self._guarded(self._pump, conn, "->")
            back.join()
        finally:
            _close_all(conn.client, conn.upstream)
            with self._lock:
                self._conns.pop(conn.number, None)

    # -- pumping -----------------------------------------------------------------

    def _pump(self, conn, arrow):
        """Move bytes ``arrow``-wards until EOF, a reset, a fault that ends it, or stop."""
        faults = self.faults if arrow in AFFECTS[self.faults.direction] else _PASS_THROUGH
        # Per connection and direction, so concurrent connections do not share a stream.
        flow = _Flow(faults, random.Random(f"netkit-tcp:{faults.seed}:{conn.number}:{arrow}"))
        src, dst = conn.ends(arrow)
        if not self._due(conn, arrow, flow):
            return
        with contextlib.ExitStack() as stack:
            if faults.window:
                gather = stack.enter_context(selectors.DefaultSelector())
                gather.register(src, selectors.EVENT_READ)
            while conn.ending is None:
                try:
                    data = src.recv(BUFFER)
                    eof = not data
                    if data and faults.window:
                        data, eof = self._gather(gather, src, data, faults.window)
                except OSError:
                    # The sender reset the connection (or stop() shut it): pass the RST on.
                    self._finish(conn, "reset", arrow)
                    return
                if data and not self._forward(conn, arrow, dst, data, flow):
                    return
                if eof:
                    self._eof(conn, arrow, dst, flow)
                    return

    @staticmethod
    def _gather(selector, src, data, window):
        """Coalescing: keep reading while more arrives within ``window`` seconds."""
        deadline = time.monotonic() + max(COALESCE_MAX, window)
        while len(data) < BUFFER:
            wait = min(window, deadline - time.monotonic())
            if wait <= 0 or not selector.select(wait):
                return data, False
            more = src.recv(BUFFER)
            if not more:
                return data, True
            data += more
        return data, False

    def _forward(self, conn, arrow, dst, data, flow):
        """Send ``data`` piece by piece, firing thresholds on the way; False once ended."""
        while data:
            if flow.discard:
                return True
            limit = flow.pending[0][0] - flow.sent if flow.pending else len(data)
            part, data = data[:limit], data[limit:]
            for piece in flow.pieces(part):
                if not self._send(conn, arrow, dst, piece, flow):
                    return False
            if not self._due(conn, arrow, flow):
                return False
        return True

    def _send(self, conn, arrow, dst, piece, flow):
        if flow.faults.gap and flow.last_send is not None:
            wait = flow.last_send + flow.faults.gap - time.monotonic()
            if wait > 0 and conn.stop.wait(wait):
                return False
        if flow.faults.lockstep and flow.sent:
            # As lockstep_peer does, but the reader's socket is its own: the kernel's table says what it took.
            while (taken := _taken_by_peer(dst)) is not None and taken < flow.sent:
                if conn.stop.wait(LOCKSTEP_POLL):
                    return False
            if taken is None and conn.stop.wait(LOCKSTEP_GAP):  # not Linux: fall back on a pause
                return False
        # Recorded before it is sent, so a reply can never be recorded before its request.
        self.recording.add(conn.number, arrow, piece)
        try:
            dst.sendall(piece)
        except OSError:
            # The receiver is gone: its kernel answered with an RST; the sender gets one too.
            self._finish(conn, "reset", _OTHER[arrow])
            return False
        flow.sent += len(piece)
        flow.last_send = time.monotonic()
        return True

    def _due(self, conn, arrow, flow):
        """Fire the thresholds reached at ``flow.sent`` bytes; False once the connection ended."""
        while flow.pending and flow.pending[0][0] <= flow.sent:
            _count, action = flow.pending.pop(0)
            if action == "stall":
                if conn.stop.wait(flow.faults.stall_for):
                    return False
            elif action == "half_close":
                self.recording.add(conn.number, arrow, event="half_close")
                with contextlib.suppress(OSError):
                    conn.ends(arrow)[1].shutdown(socket.SHUT_WR)
                flow.discard = True
            else:
                self._finish(conn, action, arrow)
                return False
        return True

    def _eof(self, conn, arrow, dst, flow):
        """The sender closed its side: pass the FIN on (unless a half-close already did)."""
        if flow.discard or conn.ending is not None:
            return
        self.recording.add(conn.number, arrow, event="close")
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def _finish(self, conn, how, arrow="<-"):
        """End ``conn``: ``how`` ("close" or "reset") hits the peer that ``arrow`` points
        at (recorded as an event in that direction) and the other peer gets a FIN; every
        blocked pump wakes up. Only the first end counts; "stop" (the proxy is exiting)
        shuts down whatever is still open."""
        with conn.lock:
            first = conn.ending is None
            if first:
                conn.ending = how
            sockets = (conn.client, conn.upstream)
        if not first and how != "stop":
            return
        conn.stop.set()
        if first and how != "stop":
            self.recording.add(conn.number, arrow, event=how)
        target = conn.client if arrow == "<-" else conn.upstream
        for sock in sockets:
            if sock is None:
                continue
            with contextlib.suppress(OSError):
                if how == "reset" and sock is target:
                    # SHUT_RD wakes a reader without sending anything; close() then sends the RST.
                    rst_on_close(sock)
                    sock.shutdown(socket.SHUT_RD)
                else:
                    sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def tcp_proxy(target, *, chunk=None, coalesce=False, gap=0.0, stall_after=None, stall_for=None,
              close_after=None, reset_after=None, half_close_after=None, direction="to_client",
              seed=0, lockstep=False):
    """A TCP proxy on 127.0.0.1 in front of ``target`` that misbehaves as configured.

    ``target`` is an address tuple (or anything with ``.address``). Yields the running
    ``TCPProxy``: connect to ``proxy.address``; read ``proxy.recording`` afterwards.

    chunk:       None (pass through), n (pieces of n bytes, TCP_NODELAY) or "random"
                 (seeded sizes 1..64); pieces are ``gap`` seconds apart.
    coalesce:    gather writes that arrive within a short window of each other into one
                 send (True: ``COALESCE_WINDOW``; a number: that window in seconds).
    stall_after: after n bytes, forward nothing for ``stall_for`` seconds (None: forever).
    close_after / reset_after / half_close_after:
                 after n bytes, end with FIN / RST (SO_LINGER 0) / shutdown(SHUT_WR).
    direction:   "to_client", "to_server" or "both": where the knobs act.
    seed:        seeds every random choice; the same seed gives the same cuts.
    lockstep:    each piece waits until the receiver has read every byte before it (Linux), so
                 a recv() never returns two pieces, however late the receiver reads.
    """
    faults = TCPFaults(chunk, coalesce, gap, stall_after, stall_for, close_after, reset_after,
                       half_close_after, direction, seed, lockstep)
    proxy = TCPProxy(target, faults)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


# ---------------------------------------------------------------------------------------
# TCP in lockstep


def _taken(reader):
    """How many bytes the code reading ``reader`` has taken out of it so far: what the kernel
    received minus what still waits unread (Linux: tcpi_bytes_received and FIONREAD); None if unknown.

    The two are read in that order, so the answer is never more than the truth."""
    try:
        info = reader.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
        queued = fcntl.ioctl(reader.fileno(), termios.FIONREAD, b"\0" * 4)
    except (OSError, AttributeError):
        return None
    if len(info) < _BYTES_RECEIVED + 8:
        return None
    return struct.unpack_from("=Q", info, _BYTES_RECEIVED)[0] - struct.unpack("i", queued)[0]


def _taken_by_peer(sock):
    """How many bytes the other end of ``sock`` (a TCP socket on this machine, IPv4) has taken out
    of its socket so far, read from the kernel's socket table as ``ss`` does (sock_diag: the peer's
    tcpi_bytes_received minus its unread queue); None if unknown.

    Unlike ``_taken``, it needs no handle on the reader's socket: the reader may have made it itself,
    in another process."""
    try:
        (here, here_port), (there, there_port) = sock.getsockname(), sock.getpeername()
        peer = struct.pack("!HH16s16sI", there_port, here_port, socket.inet_aton(there), socket.inet_aton(here), 0)
        request = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, _DIAG_INFO, 0, 0xFFF) + peer \
            + struct.pack("=II", 0xFFFFFFFF, 0xFFFFFFFF)  # any state; no cookie: found by its addresses
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, _NETLINK_SOCK_DIAG) as diag:
            diag.sendall(struct.pack("=IHHII", 16 + len(request), _SOCK_DIAG_BY_FAMILY, 1, 0, 0) + request)
            reply = diag.recv(4096)
    except (OSError, ValueError, AttributeError):
        return None
    if len(reply) < 88 or struct.unpack_from("=H", reply, 4)[0] != _SOCK_DIAG_BY_FAMILY:
        return None  # an error (no such socket) or not Linux
    unread = struct.unpack_from("=I", reply, 16 + 56)[0]  # inet_diag_msg.idiag_rqueue
    at = 88
    while at + 4 <= len(reply):  # the attributes: find INET_DIAG_INFO, the peer's struct tcp_info
        length, kind = struct.unpack_from("=HH", reply, at)
        if length < 4:
            break
        if kind == 2 and length - 4 >= _BYTES_RECEIVED + 8:
            return struct.unpack_from("=Q", reply, at + 4 + _BYTES_RECEIVED)[0] - unread
        at += (length + 3) & ~3
    return None


def _feed(conn, reader, pieces, then, recording, stop):
    """In a thread: send each piece only once the reader has taken every byte before it."""
    sent = 0
    with contextlib.suppress(OSError):
        for piece in pieces:
            # Strategy: nothing signals "the reader took the bytes", so look at the kernel's counts
            # until it has; then each recv() returns at most one piece, however late the reader starts.
            while (taken := _taken(reader)) is not None and taken < sent:
                if stop.wait(LOCKSTEP_POLL):
                    return
            if taken is None and sent and stop.wait(LOCKSTEP_GAP):  # not Linux: fall back on a pause
                return
            recording.add(0, "<-", piece)
            conn.sendall(piece)
            sent += len(piece)
        if then == "close":
            recording.add(0, "<-", event="close")
            conn.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def lockstep_peer(script, *, chunk=1, then="hold"):
    """A peer that sends ``script`` (bytes, or pieces to join) in pieces of ``chunk`` bytes, each
    only once the reader has taken every byte before it; then closes (``then="close"``: a FIN)
    or holds the connection open (``"hold"``).

    A proxy's pieces are only as separate as the timing makes them: when the reader starts late
    they wait in its receive queue together, and one recv() returns them all. Here a recv() never
    sees two pieces, so code that takes one recv() for a whole message fails every time.
    Yields ``(client socket, recording)``: the client socket is connected and blocking (no
    timeout), for the code under test to read, in this process or in a forked child (the
    kernel's counts are the socket's, whoever reads it); ``recording`` holds the pieces sent.
    """
    if then not in ("hold", "close"):
        raise ValueError(f"then must be 'hold' or 'close', not {then!r}")
    if not isinstance(chunk, int) or chunk < 1:
        raise ValueError(f"chunk must be a whole number of bytes, 1 or more, not {chunk!r}")
    script = script if isinstance(script, (bytes, bytearray)) else b"".join(script)
    pieces = [bytes(script[at:at + chunk]) for at in range(0, len(script), chunk)]
    with _in_lockstep(_feed, pieces, then) as pair:
        yield pair


@contextlib.contextmanager
def _in_lockstep(work, *args):
    """A connected pair on loopback: yields ``(client socket, recording)`` while a thread runs
    ``work(conn, client, *args, recording, stop)`` on the other end, ``conn``."""
    recording, stop = Recording(), threading.Event()
    with socket.create_server((LOOPBACK, 0)) as listener:
        client = socket.create_connection(listener.getsockname(), timeout=CONNECT_TIMEOUT)
        conn, _ = listener.accept()
    with client, conn:
        client.settimeout(None)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        recording.add(0, "->", event="connect")
        thread = threading.Thread(target=work, args=(conn, client, *args, recording, stop),
                                  name="netkit-lockstep", daemon=True)
        thread.start()
        try:
            yield client, recording
        finally:
            stop.set()
            thread.join(JOIN_TIMEOUT)


def _relay_in_lockstep(conn, reader, upstream, size, recording, stop):
    """In a thread: what ``upstream`` sends goes on to ``conn`` in pieces of ``size()`` bytes (or what
    has arrived, if less), each once the reader has taken every byte before it; what ``conn``
    receives goes upstream at once. Ends when both directions have ended."""
    queue, sent, ends, told = bytearray(), 0, {"->": False, "<-": False}, False
    with selectors.DefaultSelector() as selector, contextlib.suppress(OSError):
        selector.register(upstream, selectors.EVENT_READ, "<-")
        selector.register(conn, selectors.EVENT_READ, "->")
        while not stop.is_set() and not (told and ends["->"]):
            for key, _ in selector.select(LOCKSTEP_POLL if queue else 0.05):
                try:
                    data = key.fileobj.recv(BUFFER)
                except OSError:  # a reset: that direction has ended as surely as with a FIN
                    data = b""
                if key.data == "<-" and data:
                    queue += data
                elif data:
                    recording.add(0, "->", data)
                    upstream.sendall(data)
                else:
                    selector.unregister(key.fileobj)
                    ends[key.data] = True
                    if key.data == "->":
                        recording.add(0, "->", event="close")
                        with contextlib.suppress(OSError):
                            upstream.shutdown(socket.SHUT_WR)
            taken = _taken(reader)
            if queue and (taken is None or taken >= sent):
                if taken is None and sent:
                    stop.wait(LOCKSTEP_GAP)  # not Linux: fall back on a pause
                piece = bytes(queue[:size()])
                del queue[:len(piece)]
                recording.add(0, "<-", piece)
                conn.sendall(piece)
                sent += len(piece)
            if ends["<-"] and not queue and not told:  # the server closed, and all it sent has gone on
                recording.add(0, "<-", event="close")
                conn.shutdown(socket.SHUT_WR)
                told = True


@contextlib.contextmanager
def lockstep_proxy(target, *, chunk=1, seed=0):
    """A connection to ``target`` through a relay that passes on what the server sends in pieces of
    ``chunk`` bytes (``"random"``: seeded sizes 1..64), each only once the reader has taken every
    byte before it: ``lockstep_peer`` in front of a real server. What the client sends goes on at once.

    Yields ``(client socket, recording)``, as ``lockstep_peer`` does: the client socket is made here
    (the relay reads the kernel's counts of it), connected and blocking, for the code under test to
    use, in this process or in a forked child; ``recording`` holds both directions as connection 0.
    """
    if not (chunk == "random" or (isinstance(chunk, int) and chunk >= 1)):
        raise ValueError(f"chunk must be a whole number of bytes, 1 or more, or 'random', not {chunk!r}")
    rng = random.Random(f"netkit-lockstep:{seed}")
    size = (lambda: rng.randint(*RANDOM_CHUNK)) if chunk == "random" else (lambda: chunk)
    with socket.create_connection(_target(target), timeout=CONNECT_TIMEOUT) as upstream, \
            _in_lockstep(_relay_in_lockstep, upstream, size) as pair:
        yield pair


# ---------------------------------------------------------------------------------------
# UDP


@dataclass(frozen=True)
class UDPReport:
    """What a UDP proxy did to the client's datagrams, by index in arrival order.

    ``payloads[i]`` is datagram i; ``forwarded`` includes the duplicated and the
    reordered ones (a reordered datagram is held back until the next one has gone, or
    ``REORDER_HOLD`` seconds); a receiver sees ``len(forwarded) + len(duplicated)``
    datagrams. ``replies`` counts datagrams relayed back to the client.
    """

    forwarded: tuple = ()
    dropped: tuple = ()
    duplicated: tuple = ()
    reordered: tuple = ()
    payloads: tuple = ()
    replies: int = 0

    def __str__(self):
        lines = []
        for index, payload in enumerate(self.payloads):
            fate = ["dropped"] if index in self.dropped else ["forwarded"]
            fate += [name for name in ("duplicated", "reordered") if index in getattr(self, name)]
            shown = repr(payload) if len(payload) <= 40 else f"{payload[:40]!r}…({len(payload)} bytes)"
            lines.append(f"#{index} {shown}: {', '.join(fate)}")
        return "\n".join(lines) or "(no datagrams)"


@dataclass(frozen=True)
class UDPFaults:
    """The UDP proxy's knobs (see ``udp_proxy``)."""

    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    delay: float = 0.0
    seed: int = 0
    drop_first: int = 0

    def __post_init__(self):
        for name in ("drop", "duplicate", "reorder"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name}={getattr(self, name)!r}: use a probability in [0, 1]")
        if self.delay < 0 or self.drop_first < 0:
            raise ValueError(f"delay={self.delay!r}, drop_first={self.drop_first!r}: use values >= 0")


@dataclass(frozen=True)
class Fate:
    """What happens to one datagram."""

    dropped: bool
    duplicated: bool
    reordered: bool


def datagram_fate(faults, index):
    """The fate of client datagram ``index``: a pure function of the seed and the index."""
    rng = random.Random(f"netkit-udp:{faults.seed}:{index}")
    u_drop, u_duplicate, u_reorder = rng.random(), rng.random(), rng.random()
    dropped = index < faults.drop_first or u_drop < faults.drop
    return Fate(dropped, not dropped and u_duplicate < faults.duplicate,
                not dropped and u_reorder < faults.reorder)


@dataclass
class _Ledger:
    forwarded: list = field(default_factory=list)
    dropped: list = field(default_factory=list)
    duplicated: list = field(default_factory=list)
    reordered: list = field(default_factory=list)
    payloads: list = field(default_factory=list)
    replies: int = 0


class UDPProxy(_Proxy):
    """A UDP proxy on loopback with the knobs of ``UDPFaults`` (use ``udp_proxy``)."""

    def __init__(self, target, faults=UDPFaults()):
        super().__init__(target)
        self.faults = faults
        self._ledger = _Ledger()
        self._lock = threading.Condition()
        self._front = self._back = None
        self._client = None
        self._queue = []   # (due, sequence, index, payload): datagrams waiting to go upstream
        self._held = []    # (index, payload, copies): reordered, waiting for the next one
        self._held_until = None
        self._sequence = itertools.count()

    @property
    def report(self):
        """A snapshot of what the proxy did so far, as a ``UDPReport``."""
        with self._lock:
            ledger = self._ledger
            return UDPReport(tuple(ledger.forwarded), tuple(ledger.dropped), tuple(ledger.duplicated),
                             tuple(ledger.reordered), tuple(ledger.payloads), ledger.replies)

    def wait_for(self, predicate, timeout=2.0):
        """Block until ``predicate(report)`` is true (re-checked whenever the report
        changes); returns whether it became true within ``timeout`` seconds."""
        with self._lock:
            return self._lock.wait_for(lambda: predicate(self.report), timeout)

    def start(self):
        """Bind on 127.0.0.1 (a port the kernel picks) and return the ``Address``."""
        self._check_new()
        front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            front.bind((LOOPBACK, 0))
            back.bind((LOOPBACK, 0))
            back.connect(self.target)
        except OSError:
            _close_all(front, back)
            raise
        self._front, self._back = front, back
        self.address = Address(*front.getsockname()[:2])
        self._start_thread(self._loop, f"netkit-udp-proxy-{self.address.port}")
        return self.address

    def stop(self):
        """Stop relaying (datagrams still waiting are dropped), join the thread, close all."""
        self._stopping.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(JOIN_TIMEOUT)
        _close_all(self._front, self._back, self._wake_r, self._wake_w)

    def _loop(self):
        with selectors.DefaultSelector() as selector:
            selector.register(self._front, selectors.EVENT_READ, self._from_client)
            selector.register(self._back, selectors.EVENT_READ, self._from_server)
            selector.register(self._wake_r, selectors.EVENT_READ, None)
            while not self._stopping.is_set():
                for key, _events in selector.select(self._timeout()):
                    if key.data is not None and not self._stopping.is_set():
                        self._guarded(key.data)
                self._release_held(time.monotonic())
                self._send_due(time.monotonic())

    def _timeout(self):
        times = [self._queue[0][0]] if self._queue else []
        times += [self._held_until] if self._held_until is not None else []
        return max(min(times) - time.monotonic(), 0.0) if times else None

    def _from_client(self):
        data, address = self._front.recvfrom(BUFFER)
        self._client = address
        now = time.monotonic()
        with self._lock:
            ledger = self._ledger
            index = len(ledger.payloads)
            fate = datagram_fate(self.faults, index)
            ledger.payloads.append(data)
            for happened, indices in ((fate.dropped, ledger.dropped), (not fate.dropped, ledger.forwarded),
                                      (fate.duplicated, ledger.duplicated), (fate.reordered, ledger.reordered)):
                if happened:
                    indices.append(index)
            self._lock.notify_all()
        if fate.dropped:
            return
        copies = 2 if fate.duplicated else 1
        if fate.reordered:
            self._held.append((index, data, copies))
            if self._held_until is None:
                self._held_until = now + REORDER_HOLD
            return
        self._schedule(now, index, data, copies)
        self._release_held(now, force=True)

    def _schedule(self, now, index, data, copies):
        for _copy in range(copies):
            self._queue.append((now + self.faults.delay, next(self._sequence), index, data))
        self._queue.sort()

    def _release_held(self, now, force=False):
        """Send the held datagrams after the one just scheduled (or when their hold ends)."""
        if self._held and (force or now >= self._held_until):
            for index, data, copies in self._held:
                self._schedule(now, index, data, copies)
            self._held, self._held_until = [], None

    def _send_due(self, now):
        while self._queue and self._queue[0][0] <= now:
            _due, _sequence, _index, data = self._queue.pop(0)
            self.recording.add(0, "->", data)
            with contextlib.suppress(OSError):
                self._back.send(data)

    def _from_server(self):
        try:
            data = self._back.recv(BUFFER)
        except OSError:
            return  # ICMP port unreachable from the target: nothing to relay
        if self._client is None:
            return
        with self._lock:
            self._ledger.replies += 1
            self._lock.notify_all()
        self.recording.add(0, "<-", data)
        with contextlib.suppress(OSError):
            self._front.sendto(data, self._client)


@contextlib.contextmanager
def udp_proxy(target, *, drop=0.0, duplicate=0.0, reorder=0.0, delay=0.0, seed=0, drop_first=0):
    """A UDP proxy on 127.0.0.1 in front of ``target`` that loses, repeats and reorders.

    Yields the running ``UDPProxy``: send to ``proxy.address``; ``proxy.report`` says
    what happened to each client datagram. ``drop``, ``duplicate`` and ``reorder`` are
    probabilities per datagram, decided from ``seed`` and the datagram's index alone;
    ``drop_first=n`` drops the first n datagrams; ``delay`` holds every forwarded
    datagram that many seconds. Replies from the server go back to the last client.
    ``proxy.recording`` holds what was forwarded (``->``) and relayed back (``<-``), as
    connection 0.
    """
    proxy = UDPProxy(target, UDPFaults(drop, duplicate, reorder, delay, seed, drop_first))
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
