"""Background servers on loopback: any TCP or UDP handler, echo, nop and scripted peers.

This module owns the servers a check talks to and their shared plumbing. Every server
follows CPython's ``socketserver``: it binds ``127.0.0.1`` port 0, records the address,
serves from a daemon thread and is a context manager that yields an ``Address``::

    with echo_server() as address:
        ...                          # talk to address

    server = tcp_server(handler)     # keep the object to read server.errors afterwards
    with server as address:
        ...

The design space::

    _Background            bind, serve thread, wake-up pair, stop() in finally
    +-- TCPServer          a thread per connection: handler(conn, addr)
    |   +-- _EchoServer    sends back what it receives
    |   +-- _NopServer     accepts, never reads, never answers
    |   +-- _ScriptedServer  sends a script, then close / half_close / reset / hold
    +-- UDPServer          handler(data, addr) -> bytes | [bytes, ...] | None

Stopping is prompt and complete: the serve thread wakes on a socket pair (no polling),
live connections are shut down so blocked handlers return, and every thread is joined.
Nothing is ever written to stderr: a handler's exception is kept in ``server.errors``.
"""

import contextlib
import itertools
import pathlib
import selectors
import socket
import struct
import tempfile
import threading
from typing import NamedTuple

from .errors import PeerError

__all__ = [
    "Address",
    "tcp_server",
    "udp_server",
    "echo_server",
    "nop_server",
    "scripted_server",
    "TCPServer",
    "UDPServer",
    "temp_root",
    "LOOPBACK",
    "rst_on_close",
]

LOOPBACK = "127.0.0.1"
JOIN_TIMEOUT = 2.0  # how long stop() waits for a handler that ignores the shutdown
_serial = itertools.count(1)


def rst_on_close(sock):
    """Make ``sock.close()`` send an RST instead of a FIN (SO_LINGER on, 0 s): a connection reset."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class Address(NamedTuple):
    """Where a server listens: ``("127.0.0.1", port)``, usable wherever a tuple is."""

    host: str
    port: int

    def __str__(self):
        return f"{self.host}:{self.port}"


def _family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _drain(conn):
    """Read what already arrived, without waiting, so close() sends FIN and not RST."""
    try:
        conn.setblocking(False)
        while conn.recv(65536):
            pass
    except OSError:
        pass


def _close(conn):
    """Close ``conn`` gracefully (FIN), unless a handler already closed it."""
    if conn.fileno() == -1:
        return
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_WR)
    _drain(conn)
    conn.close()


class _Background:
    """A socket bound on loopback, served by one daemon thread until ``stop()``."""

    kind = "server"
    socktype = socket.SOCK_STREAM

    def __init__(self, host=LOOPBACK):
        self.host = host
        self.address = None
        self.errors = []
        self.stopping = threading.Event()
        self._sock = self._wake_r = self._wake_w = self._thread = None

    def __repr__(self):
        state = "stopped" if self.stopping.is_set() else "serving" if self._thread else "new"
        return f"<{type(self).__name__} {self.kind} {self.address or self.host} {state}>"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        """Bind, start serving and return the ``Address`` (ready to connect to)."""
        if self._thread is not None:
            raise RuntimeError(f"{self!r} was already started")
        sock = socket.socket(_family(self.host), self.socktype)
        try:
            sock.bind((self.host, 0))
            self._prepare(sock)
            sock.setblocking(False)
            self._wake_r, self._wake_w = socket.socketpair()
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self.address = Address(*sock.getsockname()[:2])
        self._thread = threading.Thread(
            target=self._serve, name=f"netkit-{self.kind}-{self.address.port}", daemon=True
        )
        self._thread.start()
        return self.address

    def _prepare(self, sock):
        """Socket options and listen(); called once, before the serve thread starts."""

    def _serve(self):
        # Strategy: wait on the socket and the wake-up pair together; stop() writes to
        # the pair, so shutting down costs no polling interval.
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self._sock, selectors.EVENT_READ)
                selector.register(self._wake_r, selectors.EVENT_READ)
                while not self.stopping.is_set():
                    for key, _ in selector.select():
                        if key.fileobj is self._sock and not self.stopping.is_set():
                            self._ready()
        except BaseException as exc:  # never let a traceback reach stderr
            self._record(exc)

    def _ready(self):
        """The socket is readable: accept or receive one thing."""
        raise NotImplementedError

    def _record(self, exc):
        """Keep ``exc`` unless it only says that stop() cut a connection."""
        if not (self.stopping.is_set() and isinstance(exc, OSError)):
            self.errors.append(exc)

    def stop(self):
        """Stop serving, release every socket and join every thread. Idempotent."""
        if self._thread is None or self._sock is None:
            return
        self.stopping.set()
        try:
            with contextlib.suppress(OSError):
                self._wake_w.send(b"\0")
            self._join(self._thread)  # a UDP handler that never returns holds it
            self._stop_handlers()
        finally:
            for sock in (self._sock, self._wake_r, self._wake_w):
                sock.close()
            self._sock = None

    def _join(self, thread):
        thread.join(JOIN_TIMEOUT)
        if thread.is_alive():
            self.errors.append(PeerError(f"{thread.name} still ran {JOIN_TIMEOUT} s after stop()"))

    def _stop_handlers(self):
        """Wake and join whatever the serve thread started."""


class TCPServer(_Background):
    """A TCP server that runs ``handler(conn, addr)`` in a thread per connection.

    The connection is closed after the handler returns (FIN, unless the handler closed
    it itself). ``stop()`` stops accepting, closes the listener and (with a FIN) the
    connections still waiting in its backlog, shuts down every live connection (a
    handler blocked in ``recv`` gets ``b''``) and joins the threads.
    """

    kind = "tcp"
    socktype = socket.SOCK_STREAM
    backlog = socket.SOMAXCONN  # a burst of clients must not lose SYNs (they would retry after 1 s)

    def __init__(self, handler, host=LOOPBACK):
        super().__init__(host)
        self.handler = handler
        self._lock = threading.Lock()
        self._live = {}  # conn -> its handler thread

    def _prepare(self, sock):
        sock.listen(self.backlog)

    def _ready(self):
        try:
            conn, addr = self._sock.accept()
        except (BlockingIOError, ConnectionAbortedError):
            return  # the client gave up before we accepted
        conn.setblocking(True)
        with self._lock:
            thread = threading.Thread(
                target=self._handle,
                args=(conn, addr),
                name=f"netkit-{self.kind}-{self.address.port}-conn{next(_serial)}",
                daemon=True,
            )
            self._live[conn] = thread
        thread.start()

    def _handle(self, conn, addr):
        try:
            self.handle(conn, addr)
        except BaseException as exc:
            self._record(exc)
        finally:
            with self._lock:
                self._live.pop(conn, None)
                _close(conn)

    def handle(self, conn, addr):
        """Serve one connection; subclasses override this or pass a ``handler``."""
        self.handler(conn, addr)

    def _stop_handlers(self):
        # Connections still in the backlog were never handled: close them with a FIN
        # too, rather than let closing the listener reset them.
        with contextlib.suppress(OSError):
            while True:
                _close(self._sock.accept()[0])
        with self._lock:
            live = list(self._live.items())
            for conn, _ in live:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        for _, thread in live:
            self._join(thread)


class UDPServer(_Background):
    """A UDP server: ``handler(data, addr)`` returns the reply (bytes, a list, or None).

    The handler runs in the serve thread, one datagram at a time, so datagrams are
    answered in arrival order.
    """

    kind = "udp"
    socktype = socket.SOCK_DGRAM
    max_datagram = 65535

    def __init__(self, handler, host=LOOPBACK):
        super().__init__(host)
        self.handler = handler

    def _ready(self):
        try:
            data, addr = self._sock.recvfrom(self.max_datagram)
        except (BlockingIOError, ConnectionError):
            return  # nothing after all, or an ICMP error about an earlier reply
        try:
            reply = self.handler(data, addr)
            replies = [] if reply is None else [reply] if _is_bytes(reply) else list(reply)
            for datagram in replies:
                if not _is_bytes(datagram):
                    raise TypeError(
                        f"a udp_server handler returns bytes, a list of bytes or None,"
                        f" not {type(datagram).__name__}: {datagram!r:.60}"
                    )
                self._sock.sendto(datagram, addr)
        except Exception as exc:
            self._record(exc)


def _is_bytes(value):
    return isinstance(value, (bytes, bytearray, memoryview))


def tcp_server(handler, host=LOOPBACK):
    """A TCP server calling ``handler(conn, addr)`` per connection, in its own thread.

    Use it as ``with tcp_server(handler) as address``; exceptions the handler raised are
    in ``.errors`` of the returned server object.
    """
    return TCPServer(handler, host=host)


def udp_server(handler, host=LOOPBACK):
    """A UDP server calling ``handler(data, addr)`` per datagram; what it returns is sent back."""
    return UDPServer(handler, host=host)


class _EchoServer(TCPServer):
    kind = "echo"

    def __init__(self, host=LOOPBACK):
        super().__init__(None, host=host)

    def handle(self, conn, addr):
        while data := conn.recv(65536):
            conn.sendall(data)


def echo_server(host=LOOPBACK):
    """A TCP server that sends back every byte it receives, until the client closes."""
    return _EchoServer(host=host)


class _NopServer(TCPServer):
    kind = "nop"

    def __init__(self, host=LOOPBACK):
        super().__init__(None, host=host)

    def handle(self, conn, addr):
        self.stopping.wait()


def nop_server(host=LOOPBACK):
    """A TCP server that accepts and then does nothing: never reads, never answers, never closes."""
    return _NopServer(host=host)


def _recv_exactly(conn, n):
    """Read ``n`` bytes, or until EOF when ``n`` is -1 (or the peer closes first)."""
    got = 0
    while n < 0 or got < n:
        data = conn.recv(65536 if n < 0 else min(65536, n - got))
        if not data:
            return
        got += len(data)


class _ScriptedServer(TCPServer):
    kind = "scripted"

    def __init__(self, script, then, gap, read_first, host=LOOPBACK):
        super().__init__(None, host=host)
        pieces = [script] if _is_bytes(script) or isinstance(script, str) else list(script)
        for piece in pieces:
            if not _is_bytes(piece):
                raise TypeError(f"a script is bytes or a list of bytes, not {piece!r:.60}")
        if then not in self._THEN:
            raise ValueError(f"then={then!r} is not one of {', '.join(self._THEN)}")
        if gap < 0 or read_first < -1:
            raise ValueError(f"gap={gap!r} and read_first={read_first!r} cannot be negative")
        self.pieces = [bytes(piece) for piece in pieces]
        self.then, self.gap, self.read_first = then, gap, read_first

    def handle(self, conn, addr):
        _recv_exactly(conn, self.read_first)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for index, piece in enumerate(self.pieces):
            if index and self.gap and self.stopping.wait(self.gap):
                return
            conn.sendall(piece)
        self._THEN[self.then](self, conn)

    def _close(self, conn):
        """Nothing to do: TCPServer closes the connection (FIN) when the handler returns."""

    def _half_close(self, conn):
        conn.shutdown(socket.SHUT_WR)
        _recv_exactly(conn, -1)

    def _reset(self, conn):
        rst_on_close(conn)
        conn.close()

    def _hold(self, conn):
        self.stopping.wait()

    _THEN = {"close": _close, "half_close": _half_close, "reset": _reset, "hold": _hold}


def scripted_server(script, *, then="close", gap=0.0, read_first=0, host=LOOPBACK):
    """A TCP peer that plays ``script`` to each client, then ends as ``then`` says.

    ``script`` is bytes or a list of bytes, sent in order with TCP_NODELAY and ``gap``
    seconds between pieces. ``read_first=n`` first reads n bytes (-1: until EOF).
    ``then``: ``"close"`` (FIN), ``"half_close"`` (shutdown(SHUT_WR), keep reading until
    EOF), ``"reset"`` (RST via SO_LINGER 0) or ``"hold"`` (keep the connection open).
    An immediate reset can reach the client before its ``connect()`` returns (which
    then raises ``ConnectionResetError``); ``read_first=1`` lets the client go first.
    """
    return _ScriptedServer(script, then, gap, read_first, host=host)


def _checked_path(root, name):
    relative = pathlib.PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"file name {name!r} must be a relative path inside the root")
    return root.joinpath(*relative.parts)


@contextlib.contextmanager
def temp_root(files=None, prefix="netkit-"):
    """A temporary directory filled from ``files`` {relative path: bytes}, removed on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix, ignore_cleanup_errors=True) as name:
        root = pathlib.Path(name)
        for path, data in (files or {}).items():
            if not _is_bytes(data):
                raise TypeError(f"the content of {path!r} must be bytes, not {type(data).__name__}")
            target = _checked_path(root, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        yield root
