"""Checks for notebook 6 (I/O multiplexing with select()), and the notebook's two experiments.

Every function a student writes here is a server that runs until it is stopped. A check
makes the sockets itself, bound on 127.0.0.1 port 0 before the fork (so the server is
reachable at once and there is nothing to wait for), runs the student's function on them
in a child process with ``netkit.runner.background``, and drives the clients from this
process with non-blocking sockets and one selector (``_Crowd``): fifty concurrent clients
need no threads. When a client waits too long, the child is stopped and the message says
where it was stuck (``stuck in recv() at line 12 of serve_lines``).

=========================  ==============================================================
check                      the exercise
=========================  ==============================================================
check_serve_ports          one UDP server on several ports: select() over datagram sockets
check_serve_lines          a line echo for many TCP clients, a buffer per client
check_http_response        the HTTP/1.0 answer to one request, as pure code
check_serve_files          a web server for a folder: select() with a write set
check_serve_files_epoll    the same on ``selectors`` (epoll), past select()'s 1024 limit
=========================  ==============================================================

The helpers that run the exercises (``_run_lines``, ``_run_pure``, ``_web_scenario``,
``_epoll_check``) take the extra cases to run, and ``_run_lines``/``_web`` a ``hidden``
flag that forbids threads, processes and asyncio (``FORBID``), so that the hidden tests
reuse them.

The notebook's experiments live here too, so its cells stay short: ``udp_wait_times``
(how long clients of one port wait while a slow client uses the other) and
``held_connections`` (how many idle connections a web server holds, and how fast it
answers meanwhile).
"""

import contextlib
import dataclasses
import http.client
import os
import random
import re
import resource
import select as _select
import selectors
import shutil
import socket
import statistics
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..framing import ProtocolError, parse_response_head
from ..runner import CPUMeter, background, report_ready, run
from ..servers import LOOPBACK, Address, rst_on_close, temp_root
from ..errors import CheckFailed
from ._base import check, fail, show_bytes
from ._harness import forbidden_uses, names_used, not_written, serving

__all__ = [
    "FORBID",
    "check_serve_ports",
    "check_serve_lines",
    "check_http_response",
    "check_serve_files",
    "check_serve_files_epoll",
    "SITE",
    "SERVED",
    "udp_wait_times",
    "held_connections",
    "Capacity",
]

#: What the exercises forbid: one thread serves every client, with select().
FORBID = ("threading", "_thread", "multiprocessing", "asyncio", "concurrent", "subprocess", "socketserver")
#: Names that start a thread or a process whatever module they come from.
_SPAWNERS = {"Thread", "start_new_thread", "fork", "forkpty", "posix_spawn", "posix_spawnp", "Popen",
             "ThreadPoolExecutor", "ProcessPoolExecutor", "ThreadingMixIn", "ForkingMixIn", "run_in_executor"}

SERVE_LIMIT = 20.0  # the child's own deadline; every check stops it long before
PROMPT = 1.0  # seconds a client may wait for its answer
_TICK = 0.02  # the crowd's longest select() wait: how often it looks at the child
_SMALL_SNDBUF = 32 * 1024  # the check's listener: accepted sockets inherit a small send buffer


# ======================================================================================
# the student's server in a child


def _need_function(func, name):
    if not callable(func):
        fail(f"{name} should be a function; it is {type(func).__name__} {func!r:.60}.",
             hint=f"run the cell that defines {name}, then this one.")


def _spawner_uses(func):
    """The threads, processes or asyncio that ``func`` (and the helpers it calls) uses."""
    found = set()
    for use in forbidden_uses(func, FORBID, names=_SPAWNERS, strings=True):
        if use.name in FORBID or use.string or use.origin.split(".")[0] not in FORBID:
            found.add(use.name)
        else:
            found.add(f"{use.origin}.{getattr(use.value, '__name__', use.name)}")
    return sorted(found)


def _refuse_spawners(func, name):
    used = _spawner_uses(func)
    modules = [u for u in used if u.split(".")[0] in FORBID]
    if used:
        fail(f"{name} uses {', '.join(modules or used)}: this exercise asks for one thread that serves every client.",
             hint="the point of select() is that a single loop, with no threads or processes, waits on all "
                  "the sockets at once and serves whichever is ready.")


_HINT_BY_CALL = {  # where a server was stuck -> the idea of the lecture to revisit
    "recv": "call recv() only on a socket select() returned as readable, and only once each time: "
            "a client that has sent part of its line or request (or nothing) makes a second recv() wait "
            "forever. Keep what arrived in a buffer per client and go back to select().",
    "recvfrom": "the lecture's two-port server: recvfrom() on one port blocks while datagrams wait on "
                "the other. Ask select() which sockets are readable and read only those.",
    "accept": "accept() only when select() says the listening socket is readable.",
    "sendall": "sendall() waits until the client has taken every byte; a client that reads slowly "
               "stops the whole server. Make the sockets non-blocking, send() what fits, keep the rest "
               "and put the socket in select()'s write list until it is all gone.",
    "send": "a blocking send() waits for a slow client. Make the sockets non-blocking, send() what "
            "fits, keep the rest and put the socket in select()'s write list until it is all gone.",
    "makefile": "a file made with makefile() reads until it has what it wants: it blocks like recv() in a loop.",
    "readline": "readline() waits for the whole line: it blocks on a client that sent half of one.",
}

_WAITING_CALLS = {"select", "poll", "epoll", "kevent"}  # where a healthy server waits: no hint of its own

_HINT_BY_ERROR = {  # what a server raised -> the idea of the lecture to revisit
    "ConnectionResetError": "a client can vanish at any moment (an RST): recv() and send() then raise "
                            "ConnectionResetError (an OSError). Catch it, close that socket, forget it, "
                            "and go on serving the others.",
    "BrokenPipeError": "sending to a client that has gone raises BrokenPipeError (an OSError). Catch it, "
                       "close that socket, forget it, and go on serving the others.",
    "ValueError": "select() was given a closed socket (its fileno() is -1) or a descriptor of 1024 or more, "
                  "which select() cannot watch. Remove a socket from your lists when you close it.",
    "OSError": "a socket in your lists was closed or broken: remove a socket from every list (or unregister "
               "it from the selector) before you close it, and catch OSError around recv() and send().",
    "KeyError": "a selector remembers each socket by its descriptor number: unregister() a socket before "
                "you close() it, or the next connection that gets the same number cannot be registered.",
    "BlockingIOError": "on a non-blocking socket, send() and recv() raise BlockingIOError when they would "
                       "wait; sendall() cannot be used. Send what fits, keep the rest, wait for writability.",
    "ForbiddenModuleError": "this exercise is about serving every client from one thread with select(): "
                            "no threads, processes or asyncio.",
}


def _story(outcome, name, *, stuck, spinning=False):
    """What the student's server did, as lines of a failure message, and the hint that fits it.

    A server the check stopped while it was fine says nothing, unless ``stuck``: then
    where it was waiting is the story; or ``spinning`` (it was using the CPU): then where
    it was is only a point of its loop, and the caller's hint stands.
    """
    if outcome.status == "returned":
        return [f"{name} returned {outcome.value!r:.80}: a server keeps serving until it is stopped "
                "(a `while True:` loop)."], "a server's loop never ends by itself."
    if outcome.stopped and spinning and outcome.stack:
        func, line, text = outcome.stack[-1]
        return [f"When the check stopped it, {name} was at line {line} of {func} (`{text}`), going round its "
                "loop."], None
    if outcome.stopped:
        if not (stuck and outcome.stuck_at):
            return [], None
        called = re.match(r"stuck in (\w+)\(\)", outcome.stuck_at)
        call_name = called.group(1) if called else None
        if call_name in _WAITING_CALLS:
            where = outcome.stuck_at.replace("stuck in", "waiting in", 1)
            lines = [f"When the check stopped it, {name} was {where}: it saw nothing left to do."]
        else:
            lines = [f"When the check stopped it, {name} was {outcome.stuck_at}."]
        lines.extend(f"  (called from line {line} of {func}: `{text}`)" for func, line, text in reversed(outcome.stack[:-1]))
        return lines, _HINT_BY_CALL.get(call_name)
    lines = [f"{name} {outcome.clause}" + (f": {outcome.stuck_at}" if outcome.stuck_at else "")]
    if outcome.status == "raised" and outcome.traceback:
        lines.extend("  " + line for line in outcome.traceback.rstrip().splitlines()[-12:])
    hint = _HINT_BY_ERROR.get(type(outcome.exception).__name__) if outcome.exception is not None else None
    return lines, hint


class _Server:
    """The student's server running in a child on the check's sockets.

    ``notes`` {exception type name: text} adds what the check knows about a failure
    (the epoll check says which descriptor it gave the server).
    """

    def __init__(self, child, notes=None):
        self.child = child  # a _harness.StudentServer
        self.handle = child.handle
        self.name = child.name
        self.notes = notes or {}
        self.doing = ""  # what the check is doing now, e.g. "(20 clients at once, ...)"

    @property
    def alive(self):
        return self.handle.alive

    def fail(self, summary, *, hint=None, stuck=False, spinning=False, **fields):
        """Stop the child and fail: ``summary``, then what the server was doing or what it raised.

        A server that died on its own (raised, returned, exited) closed its sockets, so what the
        clients saw says nothing new: the message is then "it stopped" during ``self.doing``, and why.
        """
        outcome = self.child.end()  # a dying server is not taken for a stuck one: it settles first
        if not outcome.stopped:
            summary, fields = (f"Your server stopped {self.doing}." if self.doing else summary), {}
        summary = summary[:1].upper() + summary[1:]  # it may start with a client's name
        story, fitting = _story(outcome, self.name, stuck=stuck, spinning=spinning)
        note = self.notes.get(type(outcome.exception).__name__) if outcome.exception is not None else None
        fail("\n".join([summary, *story, *([note] if note else [])]), hint=fitting or hint,
             output=outcome.output, **fields)

    def still_alive(self, after):
        """Fail if the server ended (raised, returned, exited) ``after`` something happened."""
        if not self.alive:
            self.doing = after
            self.fail(f"Your server stopped {after}.")


@contextlib.contextmanager
def _serving(target, *args, name, forbid=(), hand_over=(), notes=None):
    """Run ``target(*args)`` in a child; the parent's copies of ``hand_over`` sockets are closed."""
    with serving(target, *args, name=name, deadline=SERVE_LIMIT, forbid=forbid, hand_over=hand_over) as child:
        yield _Server(child, notes)


@contextlib.contextmanager
def _listening(*, backlog=128, sndbuf=None):
    """A TCP socket listening on loopback, for the student's server to accept on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if sndbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        sock.bind((LOOPBACK, 0))
        sock.listen(backlog)
        yield sock, Address(*sock.getsockname())
    finally:
        sock.close()


# ======================================================================================
# clients that never block: a crowd driven by one selector


class _Peer:
    """One TCP client of the student's server, driven by a ``_Crowd``."""

    def __init__(self, name, address, *, rcvbuf=None, reading=True):
        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.setblocking(False)
        self.sock.connect_ex(tuple(address))
        self.pending = bytearray()  # still to send
        self.sent = bytearray()  # sent so far
        self.received = bytearray()
        self.reading = reading
        self.end = None  # "eof" when the server closed, "reset" on an RST, or an OSError's text
        self.flushed_at = None  # when the last pending byte went out
        self.closed = False

    def __repr__(self):
        return f"<peer {self.name}: sent {len(self.sent)}, received {len(self.received)}, end {self.end}>"


class _Crowd:
    """Many clients at once, in this process and thread: connect, send, read, reset, close."""

    def __init__(self, address):
        self.address = address
        self.selector = selectors.DefaultSelector()
        self.peers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for peer in self.peers:
            self._forget(peer)
            peer.sock.close()
        self.selector.close()

    def join(self, name, *, send=b"", rcvbuf=None, reading=True):
        peer = _Peer(name, self.address, rcvbuf=rcvbuf, reading=reading)
        self.peers.append(peer)
        self.send(peer, send)
        self._watch(peer)
        return peer

    def send(self, peer, data):
        peer.pending += data
        if data:
            peer.flushed_at = None
        self._watch(peer)

    def read(self, peer):
        peer.reading = True
        self._watch(peer)

    def reset(self, peer):
        """Close with SO_LINGER 0: the server gets an RST instead of a FIN."""
        self._forget(peer)
        with contextlib.suppress(OSError):
            rst_on_close(peer.sock)
        peer.sock.close()
        peer.closed = True

    def close(self, peer):
        self._forget(peer)
        peer.sock.close()
        peer.closed = True

    def half_close(self, peer):
        """shutdown(SHUT_WR): the server reads EOF, and may still answer."""
        with contextlib.suppress(OSError):
            peer.sock.shutdown(socket.SHUT_WR)

    def pump(self, done, seconds, server=None):
        """Move bytes until ``done()`` or ``seconds`` pass, or the server dies; ``done()`` at the end."""
        until = time.monotonic() + seconds
        while not done():
            left = until - time.monotonic()
            if left <= 0 or (server is not None and not server.alive):
                return done()
            for key, events in self.selector.select(min(left, _TICK)):
                self._move(key.data, events)
        return True

    def _move(self, peer, events):
        if events & selectors.EVENT_WRITE and peer.pending:
            try:
                count = peer.sock.send(peer.pending)
            except (BlockingIOError, InterruptedError):
                count = 0
            except OSError as exc:
                count, peer.end, peer.pending = 0, _ending(exc), bytearray()
            peer.sent += peer.pending[:count]
            del peer.pending[:count]
            if not peer.pending:
                peer.flushed_at = time.monotonic()
        if events & selectors.EVENT_READ:
            try:
                data = peer.sock.recv(1 << 16)
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError as exc:
                data, peer.end = None, _ending(exc)
            if data == b"":
                peer.end = "eof"
            elif data:
                peer.received += data
        self._watch(peer)

    def _watch(self, peer):
        if peer.closed:
            return
        events = 0
        if peer.end is None:
            events |= selectors.EVENT_WRITE if peer.pending else 0
            events |= selectors.EVENT_READ if peer.reading else 0
        self._forget(peer)
        if events:
            self.selector.register(peer.sock, events, peer)

    def _forget(self, peer):
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(peer.sock)


def _ending(exc):
    return "reset" if isinstance(exc, ConnectionResetError) else f"{type(exc).__name__}: {exc}"


# ======================================================================================
# exercise 1: serve_ports(services)


@dataclasses.dataclass(frozen=True)
class _Tag:
    """A service for ``serve_ports``: the reply is the port's name, a colon and the request."""

    name: bytes

    def __call__(self, data):
        return self.name + b":" + bytes(data)

    def __repr__(self):
        return f"<service that answers {self.name!r} + b':' + request>"


@contextlib.contextmanager
def _udp_sockets(count):
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(sock)
            sock.bind((LOOPBACK, 0))
        yield socks
    finally:
        for sock in socks:
            sock.close()


def _run_ports(serve_ports, names, rounds, *, forbid=()):
    """Serve ``names`` ports; each round is [(client, port name, payload)] sent at once, answered in 1 s."""
    clients = {client for batch in rounds for client, _, _ in batch}
    with _udp_sockets(len(names)) as ports, _udp_sockets(len(clients)) as client_socks:
        by_name = dict(zip(names, ports))
        where = {name: Address(*sock.getsockname()) for name, sock in by_name.items()}
        port_name = {address: name for name, address in where.items()}
        services = {sock: _Tag(name.encode()) for name, sock in by_name.items()}
        client_of = dict(zip(sorted(clients), client_socks))
        with _serving(serve_ports, services, name="serve_ports", forbid=forbid, hand_over=ports) as server:
            for batch in rounds:
                _ports_round(server, batch, client_of, where, port_name)
            server.still_alive("while it served the datagrams above")


def _ports_round(server, batch, client_of, where, port_name):
    server.doing = f"while it answered {len(batch)} datagram{'s' if len(batch) > 1 else ''}"
    waiting = []  # (client, port name, payload, expected reply)
    for client, name, payload in batch:
        client_of[client].sendto(payload, where[name])
        waiting.append((client, name, payload, name.encode() + b":" + payload))
    strays = []  # replies that match nothing: (client, data, the port they came from)
    owner = {sock: client for client, sock in client_of.items()}
    until = time.monotonic() + PROMPT
    while waiting and server.alive and time.monotonic() < until:
        readable, _, _ = _select.select(list(owner), [], [], min(until - time.monotonic(), _TICK))
        for sock in readable:
            data, sender = sock.recvfrom(1 << 16)
            came_from = port_name.get(Address(*sender), f"{sender[0]}:{sender[1]}")
            match = next((w for w in waiting if (w[0], w[1], w[3]) == (owner[sock], came_from, data)), None)
            if match:
                waiting.remove(match)
            else:
                strays.append((owner[sock], data, came_from))
    if not waiting:
        return
    client, name, payload, expected = waiting[0]
    if len(batch) == 1:
        summary = (f"Client {client + 1} sent a datagram to port {name} ({where[name]}) and got no right reply "
                   f"within {PROMPT:.0f} s.")
    else:
        shown = ", ".join(f"{show_bytes(p, 16)} to {n}" for _, n, p in batch[:4]) + (", ..." if len(batch) > 4 else "")
        senders = len({c for c, _, _ in batch})
        who = f"{senders} clients" if senders > 1 else f"Client {client + 1}"
        summary = (f"{who} sent {len(batch)} datagrams at once ({shown}); {len(waiting)} got no right reply "
                   f"within {PROMPT:.0f} s, for example the one client {client + 1} sent to port {name} ({where[name]}).")
    stray = next((s for s in strays if s[0] == client), None) or next((s for s in strays if s[1] == expected),
                                                                       strays[0] if strays else None)
    elsewhere = stray is not None and stray[0] != client
    if elsewhere and stray[1] == expected:
        summary += f" Its reply arrived at client {stray[0] + 1} instead."
        hint = ("send each reply to the address recvfrom() returned with that very datagram (data, sender = "
                "sock.recvfrom(2048), then sock.sendto(reply, sender)): each datagram carries its own sender, and "
                "an address kept from an earlier datagram may be another client's.")
    elif stray and stray[1] != expected and expected.startswith(stray[1]):
        hint = ("recvfrom(n) returns at most n bytes of a datagram and drops the rest: requests here can be "
                "1024 bytes long, so ask for at least that many.")
    elif stray and stray[1] == expected:
        hint = ("send each reply from the socket the request arrived on (sock.sendto(reply, sender)): "
                "the client expects it to come from the port it wrote to.")
    elif stray:
        hint = "answer each datagram with services[sock](data), where sock is the socket it arrived on."
    elif not payload:
        hint = ("an empty datagram (b'') is a datagram like any other, not the end of anything: UDP has no "
                "connection to close, so recvfrom() returning b'' only means a client sent 0 bytes. Answer it "
                "with services[sock](b'') and keep the socket in your select() list.")
    else:
        hint = _HINT_BY_CALL["recvfrom"]
    server.fail(summary, sent=payload, expected=f"{show_bytes(expected, 40)} from port {name}",
                got=(f"{show_bytes(stray[1], 40)} from port {stray[2]}"
                     + (f", at client {stray[0] + 1}" if elsewhere else "")) if stray else "no reply",
                hint=hint, stuck=not strays)


@check
def check_serve_ports(serve_ports):
    """The lecture's two ports: a datagram to the second port first, then either port in any order."""
    _need_function(serve_ports, "serve_ports")
    _run_ports(serve_ports, ["A", "B"], [
        [(0, "B", b"hello, port B")],
        [(0, "A", b"hello, port A")],
        [(0, "B", b"one"), (0, "B", b"two"), (0, "A", b"three"), (0, "B", b"four")],
    ])


# ======================================================================================
# exercise 2: serve_lines(listener)


def _lines_failure(server, crowd, peers, expected, what):
    """Fail for the first of ``peers`` whose received bytes are not ``expected[peer]``."""
    late = [p for p in peers if bytes(p.received) != expected[p]]
    peer = late[0]
    want, got = expected[peer], bytes(peer.received)
    if got and not want.startswith(got):
        foreign = any(bytes(other.sent)[:8] in got for other in crowd.peers if other is not peer and other.sent)
        server.fail(f"{peer.name} got the wrong bytes back {what}.", sent=bytes(peer.sent), expected=want, got=got,
                    hint="each client needs a buffer of its own (a dict: socket -> bytes): the bytes of one "
                         "client must never end up in another client's line." if foreign else
                         "send back exactly the bytes of each line, its b'\\n' included. Only b'\\n' ends a "
                         "line here: splitlines() also cuts at b'\\r', b'\\x0b', b'\\x0c', b'\\x1c' and more.")
    if peer.end is not None:
        server.fail(f"Your server closed the connection of {peer.name} ({peer.end}) before it had sent back "
                    f"all of its lines {what}.", sent=bytes(peer.sent), expected=want, got=got,
                    hint="close a client's socket only when recv() returns b'' (the client closed) or raises.")
    stripped = bool(got) and got == want.replace(b"\n", b"")
    server.fail(f"{len(late)} of {len(peers)} clients did not get their lines back within {PROMPT:.0f} s {what}; "
                f"for example {peer.name}" + (", whose line came back without its b'\\n'." if stripped else "."),
                sent=bytes(peer.sent), expected=want, got=got or "nothing", stuck=not stripped,
                hint=("send each line back exactly as it came, its b'\\n' included: split(b'\\n') drops it, so "
                      "keep it (partition, or line + b'\\n')." if stripped else
                      "one recv() is not one line: keep each client's bytes in its own buffer, send back every "
                      "complete line in it, and keep the rest for later." if got else None))


def _expect_lines(server, crowd, peers, expected, what):
    server.doing = what
    ok = crowd.pump(lambda: all(bytes(p.received) == expected[p] for p in peers), PROMPT, server)
    if not server.alive:
        server.fail(f"Your server stopped {what}.")
    if not ok:
        _lines_failure(server, crowd, peers, expected, what)


def _expect_silence(server, peer, what):
    if peer.received:
        server.fail(f"{peer.name} got bytes back although its line was not complete yet {what}.",
                    sent=bytes(peer.sent), expected="nothing until the line is complete (its b'\\n' arrives)",
                    got=bytes(peer.received),
                    hint="one recv() is not one line: TCP delivers a stream of bytes in pieces of any size. "
                         "Keep each client's bytes in a buffer and send back only complete lines.")


def _expect_closed(server, crowd, peers, what):
    server.doing = what
    meter = CPUMeter(server.handle.pid)
    ok = crowd.pump(lambda: all(p.end is not None for p in peers), PROMPT, server)
    if not server.alive:
        server.fail(f"Your server stopped {what}.")
    if not ok:
        still = [p for p in peers if p.end is None]
        (cpu, wall), busy = meter.used(), meter.busy
        spun = (f" Meanwhile it used {cpu:.2f} s of CPU in {wall:.2f} s: select() kept reporting the closed "
                "socket readable, and it kept going round its loop." if busy else "")
        server.fail(f"{len(still)} client{'s' if len(still) > 1 else ''} closed their side (shutdown(SHUT_WR), so "
                    f"recv() on your side returned b'') but your server never closed "
                    f"{'those connections' if len(still) > 1 else 'that connection'} {what}; for example "
                    f"{still[0].name}.{spun}", sent=bytes(still[0].sent),
                    expected="the server closes its socket, and the client reads EOF",
                    got=f"{show_bytes(bytes(still[0].received), 40)}, then the connection stayed open",
                    hint="when recv() returns b'' the client has gone: close() that socket and take it out of "
                         "the read set, or select() reports it readable forever (and the server spins).",
                    spinning=busy)


IDLE_WINDOW = 0.5  # how long _expect_idle watches a server that has nothing to do


def _expect_idle(server, what):
    """Fail if the server uses the CPU while no client sends or reads anything: it spins."""
    server.doing = what
    meter = CPUMeter(server.handle.pid)
    server.handle.wait(IDLE_WINDOW)  # a deliberate window of idleness, not a wait for readiness
    server.still_alive(what)
    if meter.busy:
        cpu, wall = meter.used()
        server.fail(f"Your server used {cpu:.2f} s of CPU in {wall:.2f} s {what}, when it had nothing to do: "
                    "it was going round its loop instead of waiting in select().",
                    expected="next to no CPU: select() waits until a socket is ready",
                    got=f"{cpu:.2f} s of CPU in {wall:.2f} s", spinning=True,
                    hint="when recv() returns b'' the client has gone: close() that socket and take it out of "
                         "the read set, or select() reports it readable at once, every time. Also wait in "
                         "select() without a timeout of 0, and put a socket in the write list only while you "
                         "have bytes for it.")


def _run_lines(serve_lines, *, clients, hidden, more=None):
    with _listening() as (listener, address):
        with _serving(serve_lines, listener, name="serve_lines", forbid=FORBID if hidden else (),
                      hand_over=[listener]) as server, _Crowd(address) as crowd:
            staller = crowd.join("the client that sent half a line and stalled", send=b"a half li")
            big = crowd.join("the client that sent 100 KB without a newline", send=b"x" * 100_000)
            resetter = crowd.join("the client that reset its connection", send=b"going away")
            crowd.pump(lambda: staller.flushed_at and resetter.flushed_at, 0.2, server)
            crowd.reset(resetter)
            setting = ("while one client had sent half a line and stalled, one had sent 100 KB without "
                       "a newline and one had reset its connection")
            lines = {}
            for i in range(clients):
                line = b"client %02d says hello\n" % i
                lines[crowd.join(f"client {i:02d}", send=line)] = line
            _expect_lines(server, crowd, list(lines), lines, f"({clients} clients at once, {setting})")
            _expect_silence(server, staller, f"({setting})")
            _expect_silence(server, big, f"({setting})")

            crowd.send(staller, b"ne\n")
            crowd.send(big, b"\n")
            _expect_lines(server, crowd, [staller, big], {staller: b"a half line\n", big: b"x" * 100_000 + b"\n"},
                          "(after the two stalled clients sent the rest of their lines)")
            if more is not None:
                more(server, crowd)

            leaving = list(lines)[:5]
            for peer in leaving:
                crowd.half_close(peer)
            _expect_closed(server, crowd, leaving, "(the other clients were still connected)")
            for peer in lines:
                crowd.close(peer)
            last = crowd.join(f"a client that came after {clients} others had left", send=b"anyone there?\n")
            _expect_lines(server, crowd, [last], {last: b"anyone there?\n"},
                          f"(after {clients} clients had closed their connections)")
            server.still_alive("after clients closed and reset their connections (nothing should raise)")
            _expect_idle(server, f"(after {clients} clients had closed their connections)")


@check
def check_serve_lines(serve_lines):
    """50 clients at once each get their line back within 1 s, while one client sent half a line and
    stalled, one sent 100 KB without a newline and one reset; a client that closes gets closed; an idle
    server uses no CPU."""
    _need_function(serve_lines, "serve_lines")
    _run_lines(serve_lines, clients=50, hidden=False)


# ======================================================================================
# exercise 3: http_response(request, folder), the pure part of the web server


def _site_bytes():
    data = bytearray(random.Random(6).randbytes(60_000))
    for offset, piece in ((100, b"\r\n\r\n"), (2000, b"\0\0\0"), (30_000, b"HTTP/1.0 200 OK\r\n")):
        data[offset:offset + len(piece)] = piece
    return bytes(data)


#: The folder every web check serves: text, binary, UTF-8, empty, a sub-folder.
SITE = {
    "hello.txt": b"Hello from a select() server!\n",
    "index.html": b"<!doctype html>\n<title>select()</title>\n<h1>It works</h1>\n",
    "data.bin": _site_bytes(),
    "menu.txt": "na\u00efve caf\u00e9: cr\u00e8me br\u00fbl\u00e9e, 4 \u20ac\n".encode(),
    "empty.txt": b"",
    "docs/notes.txt": b"a file in a sub-folder\n",
}
_BIG = random.Random(7).randbytes(1 << 20)  # big.bin, in a site made with big=True
SERVED = SITE | {"big.bin": _BIG}
_SECRET = b"the password is hunter2\n"  # beside the folder: /../secret.txt must not be served
#: In a sibling folder whose name begins with the folder's: a string prefix test lets it out.
_SIBLING, _SIBLING_SECRET = "site-private/secret.txt", b"the sibling's password is swordfish\n"


@contextlib.contextmanager
def _site(*, big=False):
    """A temporary folder with ``SITE`` (and big.bin), secret.txt just outside it and site-private/secret.txt
    beside it; yields its path."""
    files = {f"site/{name}": data for name, data in SITE.items()} | {"secret.txt": _SECRET,
                                                                      _SIBLING: _SIBLING_SECRET}
    if big:
        files["site/big.bin"] = _BIG
    with temp_root(files, prefix="netkit-select-") as root:
        yield str(root / "site")


def _request(method, path, headers=b""):
    return f"{method} {path} HTTP/1.0\r\n".encode() + headers + b"\r\n"


def _judge(data, method, path):
    """``(what came, what was expected)`` when ``data`` is not the right response to
    ``method path`` (the server having closed after it), else None."""
    name = path.lstrip("/")
    want = SERVED.get(name)
    shape = "an HTTP/1.0 response: a status line, header lines, a blank line (b'\\r\\n\\r\\n'), then the body"
    try:
        head = parse_response_head(data)
    except ProtocolError as exc:
        return str(exc), shape
    if head is None:
        return f"{show_bytes(data, 60)}, with no blank line to end the head", shape
    bare = re.search(rb"(?<!\r)\n", data[:head.end])
    if bare:
        line = data[data.rfind(b"\n", 0, bare.start()) + 1:bare.end()]
        return (f"{show_bytes(line, 50)}: a line of the head that ends with b'\\n' alone",
                "every line of the head, and the empty line after it, ending with b'\\r\\n'")
    status, length, body = head.status, head.header("Content-Length"), data[head.end:]
    if want is not None and status != 200:
        return f"status {status} for a file that exists", f"200 OK and the {len(want)} bytes of {name}"
    if want is None and status != 404:
        return f"status {status} for a file that does not exist", "404 Not Found"
    if length is None:
        return "no Content-Length header", f"Content-Length: {len(want) if want is not None else 'the body size'}"
    if not length.isdigit():
        return f"Content-Length: {length}", "Content-Length: a number of bytes"
    if want is not None and int(length) != len(want):
        return f"Content-Length: {length}", f"Content-Length: {len(want)} (the size of {name} in bytes)"
    if method == "HEAD":
        return (f"a {len(body)}-byte body after the head of a HEAD response", "no body at all") if body else None
    if int(length) != len(body):
        cut = want is not None and len(body) < int(length)  # the length is the file's: the body was cut short
        return (f"Content-Length: {length}, then {'only ' if cut else ''}{len(body)} bytes of body before the "
                "connection closed", f"exactly {length} bytes of body")
    if want is not None and body != want:
        first = next(i for i, (a, b) in enumerate(zip(body, want)) if a != b)
        return (f"a body that differs from {name} at byte {first}: {show_bytes(body[first:first + 16])}",
                f"the bytes of {name}: {show_bytes(want[first:first + 16])} at byte {first}")
    return None


_HTTP_HINTS = {
    "Content-Length": "Content-Length counts bytes, not characters: read the file in binary mode ('rb') "
                      "and give len() of those bytes; for HEAD, the size GET would send.",
    "no length": "every response here has a Content-Length header, the 404 and the other errors too (their short "
                 "body has a size as well), so a client knows where the body ends.",
    "HEAD": "HEAD gets the same head as GET and no body at all.",
    "status": "a name that is a file in the folder gets 200 OK with its bytes; anything else gets 404 Not Found.",
    "shape": "the response head is b'HTTP/1.0 200 OK\\r\\n', header lines like b'Content-Length: 30\\r\\n', "
             "then an empty line b'\\r\\n'; the body follows.",
    "CRLF": "HTTP ends every line of the head with b'\\r\\n' (CR LF), the empty line that ends the head too: "
            "b'HTTP/1.0 200 OK\\r\\nContent-Length: 30\\r\\n\\r\\n'. Many clients forgive a bare b'\\n'; "
            "the exercise, like the RFC, asks for b'\\r\\n'.",
    "cut": "send() sends only what fits in the socket's send buffer and returns how many bytes that was; "
           "on a non-blocking socket the rest is not sent for you. Keep the rest (response[sent:]), put the "
           "socket in select()'s write list, send more each time it is writable, and close() only when "
           "nothing is left. sendall() is no way out: on a non-blocking socket it raises BlockingIOError "
           "as soon as the buffer is full.",
}


def _http_hint(problem, method, served=False):
    """The hint for ``problem`` (what ``_judge`` found); ``served``: seen through the student's server."""
    if "ends with b'\\n' alone" in problem:
        return _HTTP_HINTS["CRLF"]
    if served and ", then only " in problem:  # the file's Content-Length, a body cut short: a partial send
        return _HTTP_HINTS["cut"]
    if problem == "no Content-Length header":
        return _HTTP_HINTS["no length"]
    if "Content-Length" in problem or "body that differs" in problem:
        return _HTTP_HINTS["Content-Length"]
    if method == "HEAD" or "HEAD" in problem:
        return _HTTP_HINTS["HEAD"]
    if problem.startswith("status"):
        return _HTTP_HINTS["status"]
    return _HTTP_HINTS["shape"]


_PURE_CASES = [("GET", "/hello.txt"), ("HEAD", "/hello.txt"), ("GET", "/missing.txt"), ("GET", "/data.bin")]


_PURE_ERRORS = {  # what http_response raised -> the idea to revisit
    "UnicodeDecodeError": "read the file in binary mode, open(path, 'rb'): a file is bytes, and a binary file "
                          "is no valid text.",
    "IsADirectoryError": "a name that is a folder is not a file: answer 404 unless the path is a regular file "
                         "(os.path.isfile / Path.is_file).",
    "FileNotFoundError": "a name that is not a file in the folder gets a 404 response, not an exception.",
    "ValueError": "a request line may not be METHOD PATH VERSION: answer 400 Bad Request instead of "
                  "unpacking it blindly.",
    "IndexError": "a request line may not be METHOD PATH VERSION: answer 400 Bad Request instead of "
                  "indexing it blindly.",
}


def _call_pure(http_response, request, folder):
    """The student's response to ``request``, as bytes, or a failure that says what happened."""
    outcome = run(http_response, request, folder, deadline=2.0)
    not_written(outcome, "http_response")
    if not outcome.ok:
        kind = type(outcome.exception).__name__ if outcome.exception is not None else ""
        fail(f"http_response was given the request {show_bytes(request, 70)} and did not return a response:\n"
             f"{outcome.message}", hint=_PURE_ERRORS.get(kind, "http_response only builds bytes and needs no "
                                                                "socket: read the file, build the head, join them."))
    response = outcome.value
    if not isinstance(response, (bytes, bytearray)):
        fail(f"http_response returned {type(response).__name__} {response!r:.60} for {show_bytes(request, 60)}.",
             expected="bytes: the whole response, head and body",
             hint="build the head as a str, .encode() it, and add the file's bytes.")
    return bytes(response)


def _run_pure(http_response, cases=(), more=None):
    _need_function(http_response, "http_response")
    with _site() as folder:
        for method, path in _PURE_CASES + list(cases):
            request = _request(method, path)
            response = _call_pure(http_response, request, folder)
            wrong = _judge(response, method, path)
            if wrong:
                fail(f"http_response answered {method} {path} wrongly.", sent=request, expected=wrong[1],
                     got=f"{wrong[0]}\n{' ' * 12}(the response: {show_bytes(response, 70)})",
                     hint=_http_hint(wrong[0], method))
        if more is not None:
            more(http_response, folder)


@check
def check_http_response(http_response):
    """GET and HEAD of a file, GET of a missing file, GET of a binary file: status, exact Content-Length, body."""
    _run_pure(http_response)


# ======================================================================================
# exercises 4 and 5: serve_files(listener, folder), with select() or with selectors


def _expect_responses(server, crowd, jobs, what, seconds=PROMPT):
    """``jobs`` {peer: (method, path)}: each gets the right response, then EOF, within ``seconds``."""
    server.doing = what
    crowd.pump(lambda: all(p.end is not None for p in jobs), seconds, server)
    if not server.alive:
        server.fail(f"Your server stopped {what}.")
    late = [p for p in jobs if p.end is None]
    for peer, (method, path) in jobs.items():
        got = bytes(peer.received)
        if peer.end is None and got and _judge(got, method, path) is None:
            server.fail(f"{peer.name} got its response to {method} {path} {what}, but the connection stayed open.",
                        sent=bytes(peer.sent), expected="the response, then the server closes the connection",
                        got=f"{show_bytes(got, 50)}, then nothing more",
                        hint="HTTP/1.0 ends a response by closing the connection: close() the socket once "
                             "the whole response has been sent.")
        if peer.end is None:
            server.fail(f"{len(late)} of {len(jobs)} clients got no complete response within {seconds:.0f} s "
                        f"{what}; for example {peer.name}.", sent=bytes(peer.sent),
                        expected=f"a response to {method} {path}, then EOF",
                        got=show_bytes(got, 60) if got else "nothing", stuck=True, hint=_HINT_BY_CALL["recv"])
        wrong = _judge(got, method, path)
        if wrong:
            server.fail(f"{peer.name} got a wrong response to {method} {path} {what}.", sent=bytes(peer.sent),
                        expected=wrong[1], got=wrong[0], hint=_http_hint(wrong[0], method, served=True))


def _http_client(server, address, method, path, what):
    """One request with Python's http.client: (status, Content-Length, body), or a failure."""
    server.doing = f"(http.client asked {method} {path}, {what[1:]}"
    connection = http.client.HTTPConnection(address.host, address.port, timeout=PROMPT)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Length"), response.read()
    except (OSError, http.client.HTTPException) as exc:
        waited = isinstance(exc, TimeoutError)
        server.fail(f"http.client (Python's HTTP client) asked {method} {path} {what} and failed: "
                    f"{type(exc).__name__}: {exc}", stuck=waited,
                    hint=_HINT_BY_CALL["recv"] if waited else _HTTP_HINTS["Content-Length"]
                    if isinstance(exc, http.client.IncompleteRead) else _HTTP_HINTS["shape"])
    finally:
        connection.close()


def _real_clients(server, address, what):
    """http.client, urllib and curl (where installed) against the running server."""
    for method, path in (("GET", "/data.bin"), ("HEAD", "/hello.txt"), ("GET", "/missing.txt")):
        status, length, body = _http_client(server, address, method, path, what)
        want = SITE.get(path.lstrip("/"))
        right = (404, None, None) if want is None else (200, str(len(want)), want if method == "GET" else b"")
        if (status, length if want else None, body if want else None) != right:
            server.fail(f"http.client (Python's HTTP client) asked {method} {path} {what} and got a wrong answer.",
                        expected=f"status {right[0]}" + (f", Content-Length: {right[1]} and "
                                                         f"{'the file' if method == 'GET' else 'no body'}" if want else ""),
                        got=f"status {status}, Content-Length: {length}, body {show_bytes(body, 40)}",
                        hint=_http_hint("status" if status != right[0] else "Content-Length", method))
    url = f"http://{address.host}:{address.port}/menu.txt"
    server.doing = f"(urllib fetched /menu.txt, {what[1:]}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never an environment's proxy
    try:
        with opener.open(url, timeout=PROMPT) as reply:
            status, body = reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, b""
    except (OSError, http.client.HTTPException) as exc:
        server.fail(f"urllib.request.urlopen({url!r}) failed {what}: {type(exc).__name__}: {exc}",
                    stuck=True, hint=_HTTP_HINTS["Content-Length"])
    if (status, body) != (200, SITE["menu.txt"]):
        server.fail(f"urllib.request.urlopen({url!r}) got a wrong answer {what}.",
                    expected=f"status 200 and {show_bytes(SITE['menu.txt'])}", got=f"status {status}, {show_bytes(body)}",
                    hint=_HTTP_HINTS["Content-Length"])
    _curl(server, address, ["data.bin"], what)


_CURL_SKIPPED = "note: curl is not installed here, so this check used only http.client, urllib and raw sockets."


def _curl(server, address, names, what):
    """Fetch ``names`` with one curl process (in parallel); a note instead when there is no curl."""
    curl = shutil.which("curl")
    if curl is None:
        print(_CURL_SKIPPED)
        return
    import subprocess  # the parent runs curl; the student's child may not use subprocess

    urls = [f"http://{address.host}:{address.port}/{name}" for name in names]
    server.doing = f"(curl fetched {len(urls)} URL{'s' if len(urls) > 1 else ''}, {what[1:]}"
    with tempfile.TemporaryDirectory(prefix="netkit-curl-") as folder:
        outputs = [os.path.join(folder, f"{i}.out") for i in range(len(urls))]
        command = [curl, "--silent", "--show-error", "--fail", "--noproxy", "*", "--max-time", "2"]
        if len(urls) > 1:
            command += ["--parallel", "--parallel-immediate", "--parallel-max", str(len(urls))]
        for url, output in zip(urls, outputs):
            command += ["--output", output, url]
        try:
            done = subprocess.run(command, capture_output=True, timeout=5, stdin=subprocess.DEVNULL)
            problem = done.stderr.decode(errors="replace").strip() if done.returncode else None
        except subprocess.TimeoutExpired:
            problem = "curl did not finish within 5 s"
        shown = f"{urls[0]}" + (f" and {len(urls) - 1} more URLs at once" if len(urls) > 1 else "")
        if problem:
            waited = "timed out" in problem or "did not finish" in problem
            server.fail(f"curl fetched {shown} {what} and failed: {problem.splitlines()[-1][:200]}", stuck=waited,
                        hint=_HINT_BY_CALL["recv"] if waited else _HTTP_HINTS["Content-Length"])
        for url, output, name in zip(urls, outputs, names):
            got = Path(output).read_bytes() if os.path.exists(output) else b""
            if got != SERVED[name]:
                server.fail(f"curl fetched {url} {what} and got other bytes than the file's.", expected=SERVED[name],
                            got=got, hint=_HTTP_HINTS["Content-Length"])


def _web_scenario(server, address, more=None):
    with _Crowd(address) as crowd:
        silent = crowd.join("a client that connected and never sent anything")
        half = crowd.join("a client that sent half a request and stalled", send=b"GET /hello.txt HT")
        setting = "while one client stayed silent and one had sent half a request"
        crowd.pump(lambda: half.flushed_at, 0.2, server)
        paths = [("GET", "/hello.txt"), ("GET", "/data.bin"), ("GET", "/missing.txt"), ("HEAD", "/hello.txt"),
                 ("GET", "/docs/notes.txt")]
        jobs = {}
        for i in range(20):
            method, path = paths[i % len(paths)]
            jobs[crowd.join(f"client {i:02d}", send=_request(method, path, b"Host: localhost\r\n"))] = (method, path)
        _expect_responses(server, crowd, jobs, f"(20 clients at once, {setting})")
        for peer in (silent, half):
            if peer.received or peer.end:
                server.fail(f"{peer.name} got {show_bytes(bytes(peer.received), 40) if peer.received else peer.end}"
                            " although its request was not complete.", sent=bytes(peer.sent),
                            expected="nothing until the blank line that ends the request head",
                            hint="one recv() is not one request: keep each client's bytes until b'\\r\\n\\r\\n' "
                                 "has arrived.")
        _real_clients(server, address, f"({setting})")
        crowd.send(half, b"TP/1.0\r\n\r\n")
        _expect_responses(server, crowd, {half: ("GET", "/hello.txt")},
                          "(it sent the rest of its request in a second send())")
        if more is not None:
            more(server, crowd, address)
        crowd.close(silent)
        server.still_alive("while clients came and went (nothing should raise)")
        _expect_idle(server, "(after every client had been served, or had closed its connection)")


@contextlib.contextmanager
def _web(serve, *, hidden, name, target=None, extra=(), notes=None):
    """The student's web server running on a listener (small send buffer) over a temporary SITE."""
    _need_function(serve, name)
    if hidden:
        _refuse_spawners(serve, name)
    with _site(big=hidden) as folder, _listening(sndbuf=_SMALL_SNDBUF) as (listener, address):
        args = (*extra, serve, listener, folder) if target else (listener, folder)
        with _serving(target or serve, *args, name=name, forbid=FORBID if hidden else (),
                      hand_over=[listener], notes=notes) as server:
            yield server, address


@check
def check_serve_files(serve_files):
    """20 clients at once get right responses within 1 s while one client stays silent and one sent half a
    request; http.client, urllib and curl get the right files; once they are gone the server uses no CPU."""
    with _web(serve_files, hidden=False, name="serve_files") as (server, address):
        _web_scenario(server, address)


HIGH_FD = 1500  # where the epoll checks put the listening socket: select() cannot watch it


def _high_fd():
    """The descriptor number to move the listener to (>= 1024), or None if the limits forbid it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > HIGH_FD + 64:
        return HIGH_FD
    return hard - 32 if hard - 32 > 1024 else None


def _at_high_fd(number, serve, listener, folder):
    """In the child: move the listener to descriptor ``number``, then serve on it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft <= number + 32:
        resource.setrlimit(resource.RLIMIT_NOFILE, (number + 64 if hard == resource.RLIM_INFINITY
                                                    else min(hard, number + 64), hard))
    high = socket.socket(fileno=os.dup2(listener.fileno(), number))
    listener.close()
    serve(high, folder)


def _epoll_check(serve, hidden, more=None):
    number = _high_fd()
    if number is None:
        print("note: this machine allows too few open files (ulimit -n) to give the server a descriptor "
              "above 1023, so select() could not be caught out here.")
        target, extra, notes = None, (), None
    else:
        target, extra = _at_high_fd, (number,)
        notes = {"ValueError": f"(The check gave serve_files_epoll its listening socket as descriptor {number}: "
                               "select() only handles descriptors below FD_SETSIZE = 1024. "
                               "selectors.DefaultSelector() is epoll on Linux, which has no such limit.)"}
    if number is None and not names_used(serve) & {"selectors", "DefaultSelector", "EpollSelector", "epoll", "poll"}:
        fail("serve_files_epoll does not use the selectors module.",
             hint="this exercise is the web server again on selectors.DefaultSelector(): register() each "
                  "socket with the events it waits for, select(), modify() or unregister() as it goes.")
    with _web(serve, hidden=hidden, name="serve_files_epoll", target=target, extra=extra, notes=notes) as (server, address):
        _web_scenario(server, address, more=more)


@check
def check_serve_files_epoll(serve_files_epoll):
    """The web server on selectors: the visible web cases again, with the listening socket at
    descriptor 1500, which select() cannot watch."""
    _epoll_check(serve_files_epoll, hidden=False)


# ======================================================================================
# the experiments the notebook plots


def udp_wait_times(server, *, clients=8, period=0.1, patience=2.0):
    """How long each of ``clients`` clients of port B waits while a slow client uses port A.

    ``server`` is the notebook's two-port server: it binds two UDP sockets, calls
    ``report_ready((address_a, address_b))`` and sends each datagram back to its sender.
    The clients of port B all send one datagram at time 0; the slow client sends one to
    port A every ``period`` seconds. Returns the seconds each client of port B waited for
    its reply, ``None`` if none came within ``patience``.
    """
    with background(server, deadline=SERVE_LIMIT) as handle, _udp_sockets(clients + 1) as socks:
        port_a, port_b = (tuple(address) for address in handle.ready())
        slow, fast = socks[0], socks[1:]
        start = time.monotonic()
        for index, sock in enumerate(fast):
            sock.sendto(b"client %d" % index, port_b)
        waits, next_slow = [None] * clients, start + period
        with selectors.DefaultSelector() as selector:
            for index, sock in enumerate(fast):
                selector.register(sock, selectors.EVENT_READ, index)
            while None in waits and time.monotonic() - start < patience:
                if time.monotonic() >= next_slow:
                    slow.sendto(b"slow", port_a)
                    next_slow += period
                for key, _ in selector.select(max(0.0, min(next_slow, start + patience) - time.monotonic())):
                    key.fileobj.recv(1024)
                    waits[key.data] = time.monotonic() - start
                    selector.unregister(key.fileobj)
        return waits


@dataclasses.dataclass(frozen=True)
class Capacity:
    """What ``held_connections`` measured for one server."""

    label: str
    counts: tuple  # idle connections it held at each step
    latency_ms: tuple  # the lower quartile of the GET times at each step, in milliseconds
    memory_mb: tuple = ()  # how much the server's resident memory grew since the first step, in MB
    threads: tuple = ()  # the server process's threads at each step
    note: str = ""  # why the measurement stopped before the last step, if it did

    def __str__(self):
        steps = ", ".join(f"{n}: {ms:.2f} ms" for n, ms in zip(self.counts, self.latency_ms))
        cost = f"; at {self.counts[-1]}: {self.threads[-1]} threads, +{self.memory_mb[-1]:.1f} MB" \
            if self.threads else ""
        return f"{self.label}: {steps or 'nothing measured'}{cost}" + (f" ({self.note})" if self.note else "")


def _process_status(pid):
    """``(resident MB, threads)`` of process ``pid`` from /proc, or None where there is no /proc."""
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])
    except (OSError, KeyError, ValueError):
        return None


def _open_files():
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 64


def _reference_server(folder):
    """In a child: netkit's HTTP server (a thread per connection), until the parent stops it."""
    from ..http import HTTPServer

    server = HTTPServer(root=folder)
    server.backlog = socket.SOMAXCONN  # as the student's servers get: no SYN dropped by a full queue
    with server as address:
        report_ready(address)
        server.stopping.wait()


@contextlib.contextmanager
def _capacity_server(server, name, folder):
    """``(address, handle, story())``: netkit's reference server (None) or the student's, in a child.

    Both run in a child process, so the client that measures never shares a process (or
    Python's global interpreter lock) with the server it measures.
    """
    if server is None:
        with background(_reference_server, folder, deadline=SERVE_LIMIT) as handle:
            yield handle.ready(), handle, lambda: _story(handle.stop(), name, stuck=True)[0][0]
        return
    with _listening(backlog=socket.SOMAXCONN) as (listener, address), \
            serving(server, listener, folder, name=name, deadline=SERVE_LIMIT, hand_over=[listener]) as child:
        yield address, child.handle, lambda: _ended(child)


def _ended(child):
    """The first line of what a failure message would say of the student's server, stopped now."""
    try:
        outcome = child.end()
    except CheckFailed as exc:  # not written yet
        return str(exc).splitlines()[0]
    return _story(outcome, child.name, stuck=True)[0][0]


def _lower_quartile(times):
    """A quarter of ``times`` are smaller: other programs on the machine disturb it less than the median."""
    return statistics.quantiles(times, n=4)[0] if len(times) > 1 else times[0]


def _get_time(address, deadline=1.0):
    """Seconds for one GET /hello.txt on a new connection, read to EOF; OSError when it fails."""
    start = time.perf_counter()
    with socket.create_connection(address, timeout=deadline) as sock:
        sock.sendall(b"GET /hello.txt HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    if not data.endswith(SITE["hello.txt"]):
        raise OSError(f"a wrong response: {data[:60]!r}")
    return time.perf_counter() - start


def held_connections(server=None, *, label=None, counts=(0, 250, 500, 750, 1000, 1250), probes=20):
    """Hold ``counts`` idle connections open to a web server and time a GET at each step.

    ``server`` is None for netkit's reference server (``http_server``: a thread per
    connection), or a function ``server(listener, folder)`` like the notebook's; either runs
    in a child process. At each step the idle connections are topped up (they
    connect and never send), ``probes`` GET requests are timed one after another (the lower
    quartile of their times is kept: other programs on the machine disturb it least), and
    the idle ones must all still be open. It stops at the first step the server cannot hold,
    and keeps within this process's open-file limit (``ulimit -n``). A function that is
    not written yet gives a ``Capacity`` with nothing measured and a note that says so.
    """
    name = getattr(server, "__name__", "the server")
    label = label or ("netkit's http_server (a thread per connection)" if server is None else name)
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    room = (soft if soft != resource.RLIM_INFINITY else 1 << 20) - _open_files() - 64
    steps = [n for n in counts if n <= room]
    note = f"stopped at {steps[-1] if steps else 0}: ulimit -n allows {soft} open files" if len(steps) < len(counts) else ""
    held, latency, costs, idle = [], [], [], []
    with _site() as folder, _capacity_server(server, name, folder) as (address, handle, story):
        try:
            for count in steps:
                while len(idle) < count:
                    idle.append(socket.create_connection(address, timeout=1.0))
                _get_time(address)  # answered only after the server accepted every idle one before it
                times = [_get_time(address) for _ in range(probes)]
                with selectors.DefaultSelector() as selector:  # select() could not watch 1000+ sockets
                    for sock in idle:
                        selector.register(sock, selectors.EVENT_READ)
                    dropped = len(selector.select(0))
                if dropped:
                    raise OSError(f"{dropped} idle connections were closed by the server")
                held.append(count)
                latency.append(_lower_quartile(times) * 1000)
                costs.append(_process_status(handle.pid))
        except OSError as exc:
            note = story() if not handle.alive else f"{type(exc).__name__}: {exc}"
            note = note if "not written yet" in note else f"failed at {count} connections: {note}"
        finally:
            for sock in idle:
                sock.close()
    if costs and None not in costs:
        memory, threads = tuple(mb - costs[0][0] for mb, _ in costs), tuple(n for _, n in costs)
    else:
        memory, threads = (), ()
    return Capacity(label, tuple(held), tuple(latency), memory, threads, note)
