"""The checks of notebook 4, TCP server and client.

Each check puts real peers on loopback (netkit's servers, behind ``tcp_proxy`` when the
stream must arrive in random pieces; a lockstep peer when each recv() must see one piece
only, however late the student's code starts), runs the student's code in a
forked child under a deadline (``netkit.runner``), and compares what came back with the
reference framing in ``netkit.framing``. A failure message is a transcript: what the peer
sent and how, each call the student's code made and what it returned, what was expected,
the wire trace, and the idea of the lecture to revisit.

==========================  =======================
exercise                    visible check
==========================  =======================
recv_exactly(sock, n)       check_recv_exactly
SocketReader(sock)          check_socket_reader
send_msg / recv_msg         check_messages
make_listener / serve_echo  check_echo_server
http_get(host, port, path)  check_http_get
ask(host, port, request)    check_ask
==========================  =======================

``connection_states(port)`` (used by the notebook's TIME_WAIT demo and the echo check)
reads the kernel's table of TCP connections.
"""

import contextlib
import errno
import os
import pickle
import random
import selectors
import socket
import struct
import tempfile
import threading
import time
from dataclasses import dataclass

from ..errors import DeadlineExceeded, PeerError, StudentCodeError
from ..framing import encode_message, parse_response
from ..http import http_server
from ..proxies import lockstep_peer, tcp_proxy
from ..runner import CPUMeter, Unpicklable, report_ready, run
from ..servers import scripted_server, tcp_server
from ._base import check, fail, show_bytes
from ._harness import first_difference, names_used, not_written, serving

__all__ = [
    "check_recv_exactly",
    "check_socket_reader",
    "check_messages",
    "check_echo_server",
    "check_http_get",
    "check_ask",
    "connection_states",
]

DEADLINE = 2.0  # seconds a correct call needs a few milliseconds of
SERVER_DEADLINE = 20.0  # a student's server lives at most this long
CLIENT_WAIT = 2.0  # how long a check's client waits for an echo or an EOF
GAP = 0.001  # seconds between the pieces a one-byte-at-a-time peer sends
SMALL_SNDBUF = 8192  # the kernel doubles it: a 16 KiB send buffer makes send() partial
FORBIDDEN_HTTP = ("urllib", "http.client", "requests", "urllib3", "httpx")
FORBIDDEN_NAMES = {"urllib", "urlopen", "http", "HTTPConnection", "HTTPResponse", "requests",
                   "urllib3", "httpx"}

HINT_SHORT_READ = ('recv(n) returns at most n bytes: whatever has arrived, maybe a single one '
                   '(lecture: "read may return fewer bytes than asked for"). Call it in a loop '
                   'until you have them all.')
HINT_EOF = ("recv() returns b'' when the peer has closed the connection, and then returns b'' "
            "forever. Check for it in every loop that calls recv().")
HINT_BUFFER = ("TCP is a byte stream: one recv() may hold the end of this message and the start "
               "of the next. Keep the extra bytes in a buffer for the next call.")
HINT_SENDALL = ("send() may send fewer bytes than you give it (it returns how many it sent); "
                "sendall() loops until every byte is out.")
HINT_LISTEN = "A TCP server is socket() -> bind() -> listen() -> accept() -> recv()/send() -> close()."


# ---------------------------------------------------------------- small helpers


def _count(n):
    return f"{n:,} byte{'' if n == 1 else 's'}"


def _is_text(data):
    return all(32 <= b < 127 or b in (9, 10, 13) for b in data[:200])


def _show(value, limit=60):
    """A value the student's code returned, shown the way a message needs it (binary data short)."""
    if isinstance(value, (bytes, bytearray)):
        return show_bytes(value, limit if _is_text(value) else 20)
    return repr(value)[:limit + 20]


def _exception_line(exc):
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _details(outcome, spinning=False):
    """The lines of an outcome worth showing: where it was stuck, its traceback, its prints.

    ``spinning``: the peer had closed, so recv() could not block: the code was going round a loop.
    """
    lines = []
    if outcome is None:
        return ""
    if spinning and outcome.stack:
        func, line, text = outcome.stack[-1]
        lines.append(f"  it was going round a loop, at line {line} of {func}: `{text}`")
    elif outcome.stuck_at:
        lines.append(f"  it was {outcome.stuck_at}")
    if outcome.status == "raised" and outcome.traceback:
        lines.append("  your code's traceback:")
        lines.extend("    " + line for line in outcome.traceback.rstrip().splitlines()[-12:])
    if outcome.status == "exited":
        lines.append(f"  it ended the process with {outcome.exit_via}")
    return "\n".join(lines)


def _printed(outcome):
    return outcome.output if outcome is not None and outcome.output.strip() else None


def _is_eof_error(exc):
    return isinstance(exc, EOFError)


def _trace(recording, limit=10):
    """The proxy's recording as a few lines, or None when there is nothing worth showing."""
    if recording is None or not recording.chunks:
        return None
    return recording.to_text(limit=limit, width=32)


class _StepLog:
    """Where a child writes each call's result as it happens, so the parent still knows what
    the first calls returned when a later one raised or hung (a killed child returns nothing)."""

    def __init__(self):
        self._file = tempfile.TemporaryFile(prefix="netkit-steps-")

    def write(self, index, value):  # in the child
        try:
            body = pickle.dumps((index, value))
        except Exception:  # noqa: BLE001  (an odd value is still worth reporting)
            body = pickle.dumps((index, Unpicklable(type(value).__name__, repr(value)[:200])))
        data = struct.pack(">I", len(body)) + body
        while data:
            data = data[os.write(self._file.fileno(), data):]

    def read(self):
        """``{index: value}`` of every call that finished."""
        fd, offset, results = self._file.fileno(), 0, {}
        size = os.fstat(fd).st_size
        while offset + 4 <= size:
            (length,) = struct.unpack(">I", os.pread(fd, 4, offset))
            index, value = pickle.loads(os.pread(fd, length, offset + 4))
            results[index] = value
            offset += 4 + length
        return results

    def close(self):
        self._file.close()


def _drive_calls(func, sock, calls, log):
    """In the child: ``func(sock, *args)`` for each args in ``calls``, logging each result."""
    for index, args in enumerate(calls):
        log.write(index, func(sock, *args))


def _drive_reader(cls, sock, calls, log):
    """In the child: ``reader = cls(sock)``, then ``reader.method(*args)`` for each call."""
    reader = cls(sock)
    for index, (method, args) in enumerate(calls):
        log.write(index, getattr(reader, method)(*args))


@contextlib.contextmanager
def _peer(script, *, then="hold", lockstep=None, **proxy):
    """A scripted peer, behind a ``tcp_proxy(**proxy)`` when knobs are given, or sending in
    ``lockstep`` pieces (``netkit.proxies.lockstep_peer``).

    Yields ``(client socket connected to it, recording or None)``; the client socket is
    blocking (no timeout): the runner's deadline bounds what the student's code does with it.
    """
    if lockstep is not None:
        with lockstep_peer(script, then=then, chunk=lockstep) as pair:
            yield pair
        return
    with contextlib.ExitStack() as stack:
        address = stack.enter_context(scripted_server(script, then=then))
        recording = None
        if proxy:
            relay = stack.enter_context(tcp_proxy(address, **proxy))
            address, recording = relay.address, relay.recording
        sock = stack.enter_context(socket.create_connection(address, timeout=5.0))
        sock.settimeout(None)
        yield sock, recording


def _wait_readable(sock, size, timeout=2.0):
    """Wait until ``size`` bytes can be read from ``sock`` (the peer sent them in one piece)."""
    end = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        while time.monotonic() < end and selector.select(end - time.monotonic()):
            try:
                if len(sock.recv(size, socket.MSG_PEEK | socket.MSG_DONTWAIT)) >= size:
                    return True
            except BlockingIOError:
                pass
            # Strategy: part of a piece is still in flight on loopback; it lands within microseconds.
            time.sleep(0.0005)
    raise PeerError(f"the scripted peer's {size} bytes did not all arrive within {timeout} s")


def _leftover(sock):
    """What is still unread in ``sock``'s receive queue, without waiting."""
    try:
        return sock.recv(1 << 20, socket.MSG_DONTWAIT)
    except (BlockingIOError, InterruptedError):
        return b""


def _transcript(calls, results, failed_at=None, outcome=None, expected=None, keep=5):
    """``  1. reader.recv_until(b'\\r\\n') -> b'HELLO\\r\\n'`` lines, up to the call that failed
    (``failed_at``; by default the first call without a result), the last ``keep`` calls before it."""
    if failed_at is None:
        failed_at = next((i for i in range(len(calls)) if i not in results), len(calls))
    lines = [f"  {i + 1}. {calls[i]} -> {_show(results[i])}" for i in range(min(failed_at, len(calls)))]
    if len(lines) > keep:
        lines = [f"  ... the first {len(lines) - keep} calls returned what they should ..."] + lines[-keep:]
    if failed_at < len(calls):
        if failed_at in results:
            what = _show(results[failed_at])
        elif outcome is None:
            what = "(never called)"
        elif outcome.status == "raised":
            what = f"raised {_exception_line(outcome.exception)}"
        elif outcome.status == "timeout":
            what = f"was still running after {outcome.deadline:g} s"
        else:
            what = outcome.clause
        lines.append(f"  {failed_at + 1}. {calls[failed_at]} -> {what}")
        if expected is not None:
            lines.append(f"     expected {expected}")
    return "\n".join(lines)


# ---------------------------------------------------------------- exercise 1: recv_exactly


class _ReadCounter(socket.socket):
    """The student's socket (in the child), counting the reads that found the stream at its end."""

    empty_reads = 0

    def _counted(self, size, asked):
        if asked and not size:
            self.empty_reads += 1
        return size

    def recv(self, bufsize, flags=0):
        data = super().recv(bufsize, flags)
        self._counted(len(data), bufsize)
        return data

    def recv_into(self, buffer, nbytes=0, flags=0):  # what makefile() readers call
        return self._counted(super().recv_into(buffer, nbytes, flags), nbytes or memoryview(buffer).nbytes)


def _call_counting_reads(recv_exactly, sock, n, log):
    """In the child: ``recv_exactly(sock, n)`` on a ``_ReadCounter``; logs how many reads returned b''."""
    counted = _ReadCounter(sock.family, sock.type, sock.proto, fileno=sock.detach())
    try:
        return recv_exactly(counted, n)
    finally:
        log.write("empty_reads", counted.empty_reads)


def _recv_exactly_case(recv_exactly, *, script, n, how, then="hold", proxy=None, lockstep=None, expect=None,
                       leftover=None, glued=False):
    """One call ``recv_exactly(sock, n)`` against a peer; fails with the lesson if it is wrong.

    When the peer closes early (``expect`` None) the reads that returned b'' are counted too."""
    log = _StepLog()
    try:
        with _peer(script, then=then, lockstep=lockstep, **(proxy or {})) as (sock, recording):
            if glued:  # everything is in the receive queue before the student's code reads
                _wait_readable(sock, len(script))
            if expect is None:
                outcome = run(_call_counting_reads, recv_exactly, sock, n, log, deadline=DEADLINE)
            else:
                outcome = run(recv_exactly, sock, n, deadline=DEADLINE)
            rest = _leftover(sock) if leftover is not None else None
        empty_reads = log.read().get("empty_reads", 0)
    finally:
        log.close()
    not_written(outcome, "recv_exactly")
    call_text = f"recv_exactly(sock, {n})"
    sent = f"{_show(script if isinstance(script, bytes) else b''.join(script))} {how}"
    if expect is None:  # the peer closes before n bytes: EOFError is the only right answer
        if outcome.status == "raised" and _is_eof_error(outcome.exception):
            if empty_reads > 1:
                fail(f"{call_text} raised EOFError, as it should, but only after it had called recv() "
                     f"{empty_reads - 1:,} more time{'s' if empty_reads > 2 else ''} once recv() had returned b''.\n"
                     + _details(outcome), sent=sent, expected="EOFError at the first b''", trace=_trace(recording),
                     hint=HINT_EOF + " Nothing more will ever come: raise EOFError at the first b'', "
                                     "and do not call recv() again.", output=_printed(outcome))
            return
        arrived = len(script if isinstance(script, bytes) else b"".join(script))
        if outcome.status == "timeout":
            fail(f"{call_text} never noticed EOF: the peer closed the connection after {_count(arrived)} "
                 f"of {n}, and your function was still running {DEADLINE:g} s later.\n"
                 + _details(outcome, spinning=True),
                 sent=sent, expected="EOFError", trace=_trace(recording), hint=HINT_EOF, output=_printed(outcome))
        if outcome.status == "returned":
            fail(f"{call_text} returned a short result when the peer closed the connection after "
                 f"{_count(arrived)} of {n}: the caller would take it for a whole message.",
                 sent=sent, expected=f"EOFError (raise it when recv() returns b'' before you have {n} bytes)",
                 got=outcome.value, trace=_trace(recording), hint=HINT_EOF, output=_printed(outcome))
        fail(f"{call_text} {outcome.clause}, but when the peer closes after {_count(arrived)} of {n} "
             "the exercise asks for EOFError.\n" + _details(outcome),
             sent=sent, expected="EOFError", trace=_trace(recording), hint=HINT_EOF, output=_printed(outcome))
    if outcome.status == "timeout" and n == 0:
        fail(f"{call_text} should return b'' at once: there is nothing to wait for. Your function called recv() "
             "and waited for bytes nobody sends.\n" + _details(outcome), sent=sent, expected=b"",
             hint="loop while len(received) < n: for n = 0 the loop body never runs.", output=_printed(outcome))
    delivered = len(recording.data("<-")) if recording is not None else len(expect)
    if outcome.status == "timeout" and delivered < len(expect):  # a lockstep peer: the code stopped reading
        fail(f"{call_text} did not return within {DEADLINE:g} s, and it was not reading: the peer sends each "
             f"piece once the bytes before it have been read, and it could send only {_count(delivered)} of {n}.\n"
             + _details(outcome), sent=sent, expected=expect, trace=_trace(recording),
             hint="recv_exactly needs nothing but recv(), called until it has n bytes; "
                  "above is where your function was waiting instead.", output=_printed(outcome))
    if outcome.status == "timeout":
        fail(f"{call_text} did not return within {DEADLINE:g} s, although all {_count(len(expect))} had arrived.\n"
             + _details(outcome), sent=sent, expected=expect, trace=_trace(recording),
             hint=f"Ask recv() only for the bytes still missing: recv(n - len(received)). {HINT_SHORT_READ}",
             output=_printed(outcome))
    if outcome.status == "raised" and n == 0 and _is_eof_error(outcome.exception):
        fail(f"{call_text} {outcome.clause}, but the peer had not closed: recv(0) returns b'' at once, because it "
             "was asked for nothing, and b'' from recv(0) is no sign of EOF.\n" + _details(outcome), sent=sent,
             expected=b"", trace=_trace(recording), output=_printed(outcome),
             hint="check the count before you call recv(): loop while len(received) < n, so for n = 0 the loop "
                  "body never runs and the result is b''.")
    if outcome.status != "returned":
        fail(f"{call_text} {outcome.clause}\n" + _details(outcome), sent=sent, expected=expect,
             trace=_trace(recording), hint=HINT_SHORT_READ, output=_printed(outcome))
    got = outcome.value
    if not isinstance(got, (bytes, bytearray)):
        fail(f"{call_text} returned {type(got).__name__}, not bytes.", sent=sent, expected=expect, got=repr(got)[:80],
             hint="return the bytes you received, e.g. bytes(buffer) or b''.join(chunks)")
    if bytes(got) != expect:
        short = len(got) < len(expect) and expect.startswith(bytes(got))
        fail(f"{call_text} returned {'only part of the message' if short else 'the wrong bytes'}"
             f" ({_count(len(got))} instead of {len(expect)}).",
             sent=sent, expected=expect, got=bytes(got), trace=_trace(recording),
             hint=HINT_SHORT_READ if short else HINT_SHORT_READ + " Return exactly n bytes, in order.",
             output=_printed(outcome))
    if leftover is not None and rest != leftover:
        lost = leftover[:len(leftover) - len(rest)] if leftover.endswith(rest) else leftover
        fail(f"{call_text} returned the right {_count(n)}, but it also took the {_count(len(lost))} after them "
             f"({show_bytes(lost)}), which belong to the next message: they are lost now.",
             sent=sent, expected=f"{show_bytes(leftover)} still unread after the call", got=f"{show_bytes(rest)} left",
             hint="Never ask recv() for more than you still need: recv(n - len(received)). "
                  "(A makefile() reader buffers ahead and loses those bytes when it is dropped.)",
             output=_printed(outcome))


@check
def check_recv_exactly(recv_exactly):
    """One byte at a time, two messages glued together, and a peer that closes mid-message."""
    _recv_exactly_case(recv_exactly, script=b"HELLO, WORLD", n=12, expect=b"HELLO, WORLD",
                       how="one byte at a time", lockstep=1)
    _recv_exactly_case(recv_exactly, script=b"0123456789NEXT", n=10, expect=b"0123456789", leftover=b"NEXT",
                       how="in one piece (10 bytes of this message, then 4 of the next)", glued=True)
    _recv_exactly_case(recv_exactly, script=b"HELLO", n=12, then="close",
                       how="then the peer closed the connection")


# ---------------------------------------------------------------- exercise 2: SocketReader

_READER_SCRIPT = b"HELLO\r\nLEN 5\r\nabcdeBYE\r\nrest of the stream"
_READER_CALLS = [("recv_until", (b"\r\n",), b"HELLO\r\n"), ("recv_until", (b"\r\n",), b"LEN 5\r\n"),
                 ("recv_exactly", (5,), b"abcde"), ("recv_until", (b"\r\n",), b"BYE\r\n"),
                 ("recv_to_eof", (), b"rest of the stream")]


def _call_text(method, args):
    return f"reader.{method}({', '.join(repr(a) for a in args)})"


def _reader_case(cls, *, script, calls, how, then="close", proxy=None, lockstep=None, glued=False):
    """``reader = cls(sock)`` then ``calls`` ``[(method, args, expected)]``; expected None means EOFError."""
    log = _StepLog()
    try:
        with _peer(script, then=then, lockstep=lockstep, **(proxy or {})) as (sock, recording):
            if glued:
                _wait_readable(sock, len(script))
            plan = [(method, args) for method, args, _ in calls]
            outcome = run(_drive_reader, cls, sock, plan, log, deadline=DEADLINE)
        results = log.read()
    finally:
        log.close()
    not_written(outcome, "SocketReader")
    script_bytes = script if isinstance(script, bytes) else b"".join(script)
    texts = [_call_text(method, args) for method, args, _ in calls]
    sent = f"{_show(script_bytes)} {how}"
    if outcome.status == "raised" and not results and len(texts) and "__init__" in (outcome.traceback or ""):
        fail(f"SocketReader(sock) {outcome.clause}\n" + _details(outcome), output=_printed(outcome),
             hint="__init__ only remembers the socket and starts an empty buffer.")
    for index, (method, args, expected) in enumerate(calls):
        text = texts[index]
        if index in results:
            got = results[index]
            if expected is None:
                fail(f"{text} returned a short result instead of raising EOFError: the peer closed the "
                     "connection before the call could be completed.\n" + _transcript(texts, results, index),
                     sent=sent, expected="EOFError", got=got, trace=_trace(recording),
                     hint=HINT_EOF + " Raise EOFError instead of returning what you have.", output=_printed(outcome))
            if not isinstance(got, (bytes, bytearray)) or bytes(got) != expected:
                lost = (isinstance(got, (bytes, bytearray)) and len(got) < len(expected)
                        and expected.startswith(bytes(got)))
                no_delimiter = (method == "recv_until" and isinstance(got, (bytes, bytearray))
                                and bytes(got) + args[0] == expected)
                hint = HINT_SHORT_READ if lost and method != "recv_to_eof" else HINT_BUFFER
                if method == "recv_to_eof":
                    hint += (" recv_to_eof returns the bytes still in your buffer, then everything until recv() "
                             "returns b''.")
                if isinstance(got, str):
                    hint = "return bytes, as recv() gives them: do not decode them to str."
                elif no_delimiter:
                    hint = (f"recv_until returns the bytes up to and including the delimiter: the {args[0]!r} is "
                            "part of the result (as file.readline() keeps the b'\\n'). Cut the buffer after the "
                            "delimiter, not before it.")
                what = ("the bytes before the delimiter, without the delimiter itself" if no_delimiter
                        else "only part of what it should" if lost else "the wrong bytes")
                fail(f"{text} returned {what}.\n"
                     + _transcript(texts, results, index, expected=_show(expected)),
                     sent=sent, expected=_show(expected), got=_show(got), trace=_trace(recording), hint=hint,
                     output=_printed(outcome))
            continue
        # the call that did not finish
        transcript = _transcript(texts, results, index, outcome)
        if method == "recv_to_eof" and outcome.status == "raised" and _is_eof_error(outcome.exception):
            fail(f"{text} raised EOFError: for recv_to_eof the end of the stream is the normal end, not an "
                 f"error.\n{transcript}\n" + _details(outcome), sent=sent, expected=_show(expected),
                 trace=_trace(recording), hint="recv_to_eof returns what is left in the buffer plus everything "
                 "until recv() returns b'' (so b'' when nothing is left).", output=_printed(outcome))
        if expected is None:
            if outcome.status == "raised" and _is_eof_error(outcome.exception):
                return
            if outcome.status == "timeout":
                fail(f"{text} never noticed EOF: the peer had closed the connection, and your reader was "
                     f"still running {DEADLINE:g} s later.\n{transcript}\n" + _details(outcome, spinning=True),
                     sent=sent, expected="EOFError", trace=_trace(recording), hint=HINT_EOF,
                     output=_printed(outcome))
            fail(f"{text} should raise EOFError when the peer closes before the call can be completed.\n"
                 f"{transcript}\n" + _details(outcome), sent=sent, expected="EOFError", trace=_trace(recording),
                 hint=HINT_EOF, output=_printed(outcome))
        if outcome.status == "raised" and _is_eof_error(outcome.exception):
            fail(f"{text} raised EOFError, but {_show(expected)} had arrived: your reader lost bytes it had "
                 f"already received, or did not see them.\n{transcript}\n" + _details(outcome),
                 sent=sent, expected=_show(expected), trace=_trace(recording),
                 hint=HINT_BUFFER + " Search the whole buffer for the delimiter: it may arrive split across "
                      "two recv() results.", output=_printed(outcome))
        if outcome.status == "timeout":
            fail(f"{text} waited for more data, but everything it needed had already arrived "
                 f"({show_bytes(expected)}).\n{transcript}\n" + _details(outcome),
                 sent=sent, expected=expected, trace=_trace(recording),
                 hint=HINT_BUFFER + " Look in the buffer before you call recv() again, and search the "
                      "whole buffer: a delimiter can arrive split across two recv() results.",
                 output=_printed(outcome))
        fail(f"{text} {outcome.clause}\n{transcript}\n" + _details(outcome), sent=sent, expected=expected,
             trace=_trace(recording), hint=HINT_BUFFER, output=_printed(outcome))
    if outcome.status != "returned":
        fail(f"SocketReader {outcome.clause}\n" + _details(outcome), output=_printed(outcome), hint=HINT_BUFFER)


@check
def check_socket_reader(SocketReader):  # noqa: N803  (the student's class)
    """Lines and counted bytes from one stream, glued together and one byte at a time; EOF mid-line."""
    _reader_case(SocketReader, script=_READER_SCRIPT, calls=_READER_CALLS,
                 how="in one piece, then the peer closed the connection", glued=True)
    _reader_case(SocketReader, script=_READER_SCRIPT, calls=_READER_CALLS,
                 how="one byte at a time, then the peer closed the connection", lockstep=1)
    _reader_case(SocketReader, script=b"HI\nNO END IN SIGHT", how="then the peer closed the connection",
                 calls=[("recv_until", (b"\n",), b"HI\n"), ("recv_until", (b"\n",), None)])
    _reader_case(SocketReader, script=b"abc", how="then the peer closed the connection",
                 calls=[("recv_exactly", (10,), None)])


# ---------------------------------------------------------------- exercise 3: length-prefixed messages

HINT_PREFIX = ("A message is its length as 4 bytes in network byte order (big-endian), then the "
               "bytes: struct.pack('!I', len(data)) or len(data).to_bytes(4, 'big').")


def _collector():
    """A tcp_server handler that keeps every byte it receives until EOF."""
    received = bytearray()
    done = threading.Event()

    def handler(conn, addr):
        while chunk := conn.recv(65536):
            received.extend(chunk)
        done.set()

    return received, done, handler


def _argument(data):
    """How a bytes argument reads in a call: short ones as a literal, long ones by their size."""
    return repr(bytes(data)) if len(data) <= 24 else f"<{_count(len(data))}>"


def _diagnose_prefix(payload, wire):
    """What is wrong with the bytes a send_msg(sock, payload) put on the wire, in words."""
    n = len(payload)
    if wire[:4] == n.to_bytes(4, "little") and n.to_bytes(4, "little") != n.to_bytes(4, "big"):
        return "the length prefix is little-endian", HINT_PREFIX + " (notebook 3: network byte order)"
    if n < 65536 and wire[:2] == n.to_bytes(2, "big") and wire[2:2 + n] == payload[:len(wire) - 2]:
        return "the length prefix is 2 bytes, not 4", HINT_PREFIX
    if payload and wire[:n] == payload:
        return "the bytes went out without a length prefix", HINT_PREFIX
    if wire[:4] == n.to_bytes(4, "big") and len(wire) < 4 + n and wire[4:] == payload[:len(wire) - 4]:
        return f"only {len(wire):,} of its {_count(4 + n)} went out", HINT_SENDALL
    if wire[:4] == n.to_bytes(4, "big") and len(wire) < 4 + n:
        return (f"only {len(wire):,} of its {_count(4 + n)} arrived, with holes in them: some bytes were "
                "never sent"), HINT_SENDALL
    return "the bytes on the wire differ from the expected ones", HINT_PREFIX


def _send_case(send_msg, payloads, how):
    received, done, handler = _collector()
    log = _StepLog()
    try:
        with tcp_server(handler) as address:
            sock = socket.create_connection(address, timeout=5.0)
            with sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_SNDBUF)
                sock.settimeout(10.0)
                outcome = run(_drive_calls, send_msg, sock, [(p,) for p in payloads], log, deadline=DEADLINE * 2)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_WR)
                done.wait(CLIENT_WAIT)
            results = log.read()
        wire = bytes(received)
    finally:
        log.close()
    not_written(outcome, "send_msg")
    texts = [f"send_msg(sock, {_argument(p)})" for p in payloads]
    offset = 0
    for index, payload in enumerate(payloads):
        expected = encode_message(payload)
        got = wire[offset:offset + len(expected)]
        if index not in results and got != expected:
            break  # the call did not finish: reported below
        if got != expected:
            problem, hint = _diagnose_prefix(payload, wire[offset:])
            before = f" (the {index} calls before it were right)" if index else ""
            fail(f"{texts[index]}{before} put the wrong bytes on the wire: {problem}.",
                 sent=how, expected=_show(expected), got=_show(got),
                 hint=hint, output=_printed(outcome))
        offset += len(expected)
    else:
        if len(wire) > offset:
            fail("send_msg sent more bytes than the messages hold.", sent=" then ".join(texts),
                 expected=f"{_count(offset)} in all", got=f"{_count(len(wire))}, ending {show_bytes(wire[-16:])}",
                 hint=HINT_PREFIX, output=_printed(outcome))
        if outcome.status == "returned":
            return
    done_calls = len(results)
    text = texts[min(done_calls, len(texts) - 1)]
    fail(f"{text} {outcome.clause}\n" + _transcript(texts, results, done_calls, outcome) + "\n" + _details(outcome),
         sent=how, hint=HINT_PREFIX + " " + HINT_SENDALL, output=_printed(outcome))


def _recv_case(recv_msg, payloads, *, how, then="close", proxy=None, lockstep=None, tail=None, glued=False):
    """The peer sends the messages (and ``tail``, the start of one more); ``recv_msg`` is called
    once per message, plus once more when ``tail`` is given (b'': the peer closes at a message
    boundary): then EOFError is expected."""
    script = b"".join(encode_message(p) for p in payloads) + (tail or b"")
    calls = [()] * (len(payloads) + (tail is not None))
    expected = list(payloads) + [None] * (len(calls) - len(payloads))
    log = _StepLog()
    try:
        with _peer(script, then=then, lockstep=lockstep, **(proxy or {})) as (sock, recording):
            if glued:
                _wait_readable(sock, len(script))
            outcome = run(_drive_calls, recv_msg, sock, calls, log, deadline=DEADLINE)
        results = log.read()
    finally:
        log.close()
    not_written(outcome, "recv_msg")
    texts = ["recv_msg(sock)"] * len(calls)
    sent = f"{_show(script)} {how}"
    for index, want in enumerate(expected):
        if index in results:
            got = results[index]
            if want is None and not tail:
                fail(f"recv_msg returned {_show(got)} instead of raising EOFError: the peer closed the connection "
                     "before the first byte of another message.\n" + _transcript(texts, results, index),
                     sent=sent, expected="EOFError", got=got, trace=_trace(recording),
                     hint="an empty message is its 4-byte length, b'\\x00\\x00\\x00\\x00'; no bytes at all is the end "
                          "of the stream. If recv_msg returns there, its caller cannot tell a closed connection "
                          "from a message (b'' would be an empty one): raise EOFError as soon as recv() returns "
                          "b'', even before the first byte of the prefix (recv_exactly(sock, 4) does).",
                     output=_printed(outcome))
            if want is None:
                fail("recv_msg returned instead of raising EOFError: the peer closed the connection in the middle "
                     "of a message.\n" + _transcript(texts, results, index),
                     sent=sent, expected="EOFError", got=got, trace=_trace(recording), hint=HINT_EOF,
                     output=_printed(outcome))
            if not isinstance(got, (bytes, bytearray)) or bytes(got) != want:
                short = isinstance(got, (bytes, bytearray)) and want.startswith(bytes(got)) and len(got) < len(want)
                fail(f"message {index + 1}: recv_msg returned {'only part of it' if short else 'the wrong bytes'}.\n"
                     + _transcript(texts, results, index, expected=_show(want)),
                     sent=sent, expected=_show(want), got=_show(got),
                     trace=_trace(recording), hint=HINT_SHORT_READ if short else HINT_PREFIX + " " + HINT_BUFFER,
                     output=_printed(outcome))
            continue
        transcript = _transcript(texts, results, index, outcome)
        if want is None:
            if outcome.status == "raised" and _is_eof_error(outcome.exception):
                return
            where = "in the middle of a message" if tail else "before the first byte of another message"
            if outcome.status == "timeout":
                fail(f"recv_msg never noticed EOF: the peer closed the connection {where}, and "
                     f"your function was still running {DEADLINE:g} s later.\n{transcript}\n"
                     + _details(outcome, spinning=True),
                     sent=sent, expected="EOFError", trace=_trace(recording), hint=HINT_EOF, output=_printed(outcome))
            fail(f"recv_msg should raise EOFError when the peer closes {where}.\n"
                 f"{transcript}\n" + _details(outcome), sent=sent, expected="EOFError", trace=_trace(recording),
                 hint=HINT_EOF, output=_printed(outcome))
        prefix = len(want).to_bytes(4, "big")
        if then == "hold" and outcome.status == "raised" and _is_eof_error(outcome.exception):
            fail(f"message {index + 1} ({_count(len(want))}, prefix {prefix!r}) was arriving {how}, and recv_msg "
                 f"raised EOFError, but the peer had not closed the connection.\n{transcript}\n" + _details(outcome),
                 sent=sent, expected=_show(want), trace=_trace(recording),
                 hint="only b'' from recv() means the peer has closed. A recv() that returns fewer bytes than you "
                      "asked for (a single one, when they come one at a time) is not the end: call it again for "
                      "the rest. Reuse your recv_exactly: once for the prefix, once for the body.",
                 output=_printed(outcome))
        misread = int.from_bytes(prefix, "little")
        endian = f" (Read little-endian, that prefix would announce {misread:,} bytes.)" if misread != len(want) else ""
        fail(f"message {index + 1} ({_count(len(want))}, prefix {prefix!r}) had arrived whole, but "
             f"recv_msg {outcome.clause}.\n{transcript}\n" + _details(outcome),
             sent=sent, expected=_show(want), trace=_trace(recording),
             hint=f"{HINT_PREFIX}{endian} Then read exactly that many bytes and never more: what follows belongs "
                  "to the next message (a buffered makefile() made anew in each call reads ahead and loses it). "
                  "Reuse your recv_exactly: once for the prefix, once for the body.",
             output=_printed(outcome))
    if outcome.status != "returned":
        fail(f"recv_msg {outcome.clause}\n" + _details(outcome), sent=sent, output=_printed(outcome),
             hint=HINT_PREFIX)


@check
def check_messages(send_msg, recv_msg):
    """send_msg's exact bytes (empty to 1 MiB, sent in parts); recv_msg glued, one byte at a time, and
    EOFError when the peer closes inside a message or before the next one."""
    big = random.Random(31).randbytes(1 << 20)
    _send_case(send_msg, [b"hello", b"", big], how="send_msg three times on a socket that sends in parts, "
                                                    "as on a busy network")
    _recv_case(recv_msg, [b"hello", b"", b"world!"], how="in one piece", then="hold", glued=True)
    _recv_case(recv_msg, [b"hello", b"", b"world!"], how="one byte at a time", then="hold", lockstep=1)
    _recv_case(recv_msg, [big], how="as fast as the kernel allows", then="hold")
    _recv_case(recv_msg, [b"whole"], tail=b"\x00\x00\x00\x0cbroken", how="then the peer closed the connection")
    _recv_case(recv_msg, [b"last"], tail=b"", how="then the peer closed the connection")


# ---------------------------------------------------------------- exercise 4: the echo server

_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
           "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING"}


def connection_states(port):
    """``[(local (host, port), remote (host, port), state name)]`` of TCP sockets on ``port``, from
    the kernel's table (``/proc/net/tcp``, Linux; empty elsewhere)."""

    def address(text):
        host, port_hex = text.split(":")
        return socket.inet_ntoa(struct.pack("<I", int(host, 16))), int(port_hex, 16)

    try:
        with open("/proc/net/tcp", encoding="ascii") as table:
            rows = table.read().splitlines()[1:]
    except OSError:
        return []
    found = []
    for row in rows:
        fields = row.split()
        local, remote = address(fields[1]), address(fields[2])
        if port in (local[1], remote[1]):
            found.append((local, remote, _STATES.get(fields[3], fields[3])))
    return found


def _echo_child(make_listener, serve_echo, host, port):
    """The student's server, in the child: make_listener, report where, then serve_echo."""
    # A default timeout puts every socket the student makes in non-blocking mode inside, where a
    # send() on a full buffer sends only part, as on a busy server; blocking sends on Linux never do.
    socket.setdefaulttimeout(SERVER_DEADLINE * 2)
    try:
        listener = make_listener(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            report_ready({"in_use": _exception_line(exc)})
            return None
        raise
    if not isinstance(listener, socket.socket):
        report_ready({"not_socket": repr(listener)[:100]})
        return None
    info = {"pid": os.getpid(), "fd": listener.fileno(), "type": listener.type, "family": listener.family}
    with contextlib.suppress(OSError):
        info["address"] = listener.getsockname()
        info["listening"] = listener.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        info["reuse"] = listener.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
        # Accepted sockets inherit these: a small send buffer, so a big echo goes out in parts;
        # no Nagle, so an echo in small pieces is not held back waiting for delayed ACKs
        # (correct, but 1 MiB in 4 KiB pieces would take a second on loopback).
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_SNDBUF)
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    report_ready(info)
    serve_echo(listener)
    return "serve_echo returned"


def _socket_fds(pid):
    """How many of process ``pid``'s descriptors are sockets (from /proc/<pid>/fd)."""
    count = 0
    with contextlib.suppress(FileNotFoundError):
        for name in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/fd/{name}").startswith("socket:"):
                    count += 1
    return count


@dataclass(frozen=True)
class _Exchange:
    """What one check client saw: bytes back, whether EOF came, and any error."""

    received: bytes
    eof: bool
    sent: int
    error: str | None = None


def _exchange(address, payload, *, wait=None, shut=True):
    """Connect, send ``payload`` while reading, shutdown(SHUT_WR), read until EOF or ``wait`` s of silence."""
    wait = CLIENT_WAIT if wait is None else wait
    try:
        sock = socket.create_connection(address, timeout=wait)
    except OSError as exc:
        return _Exchange(b"", False, 0, _exception_line(exc))
    received, view, eof, error = bytearray(), memoryview(payload), False, None
    with sock, selectors.DefaultSelector() as selector:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if view else 0))
        if not view and shut:
            sock.shutdown(socket.SHUT_WR)
        quiet_until = time.monotonic() + wait
        try:
            while not eof:
                events = selector.select(quiet_until - time.monotonic())
                if not events:
                    break
                quiet_until = time.monotonic() + wait
                _, mask = events[0]
                if mask & selectors.EVENT_WRITE and view:
                    with contextlib.suppress(BlockingIOError):
                        view = view[sock.send(view[:65536]):]
                    if not view:
                        selector.modify(sock, selectors.EVENT_READ)
                        if shut:
                            sock.shutdown(socket.SHUT_WR)
                if mask & selectors.EVENT_READ:
                    with contextlib.suppress(BlockingIOError):
                        chunk = sock.recv(65536)
                        eof = not chunk
                        received += chunk
        except OSError as exc:
            error = _exception_line(exc)
    return _Exchange(bytes(received), eof, len(payload) - len(view), error)


class _Server:
    """The student's server running in a child, and what the check learned about it."""

    def __init__(self, make_listener, serve_echo, stack, port=0):
        self.child = stack.enter_context(serving(_echo_child, make_listener, serve_echo, "127.0.0.1", port,
                                                 name="serve_echo", deadline=SERVER_DEADLINE))
        self.handle = self.child.handle
        self.info = self._ready()
        self.address = tuple(self.info["address"][:2]) if "address" in self.info else None

    def _ready(self):
        try:
            info = self.child.ready(timeout=DEADLINE, name="make_listener")
        except (StudentCodeError, DeadlineExceeded) as exc:  # a stub's CheckFailed passes through
            outcome = self.handle.outcome
            fail("make_listener did not give back a listening socket.\n" + (_details(outcome) or f"  {exc}"),
                 hint=HINT_LISTEN, output=_printed(outcome))
        if "in_use" in info:
            return info
        if "not_socket" in info:
            fail(f"make_listener('127.0.0.1', 0) returned {info['not_socket']}, not a socket.",
                 hint="return the listening socket itself, after bind() and listen().")
        if info.get("type") != socket.SOCK_STREAM or info.get("family") != socket.AF_INET:
            fail("make_listener returned a socket that is not a TCP/IPv4 socket.",
                 expected="socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
                 got=f"family {info.get('family')!r}, type {info.get('type')!r}", hint=HINT_LISTEN)
        if "address" not in info or not info.get("listening"):
            fail("make_listener returned a socket that is not listening: clients would be refused.",
                 got=f"bound to {info.get('address')}, SO_ACCEPTCONN = {info.get('listening')}",
                 hint="call listener.listen() after bind(). " + HINT_LISTEN)
        if info["address"][0] != "127.0.0.1":
            fail(f"make_listener('127.0.0.1', 0) bound to {info['address'][0]!r}, not the host it was given.",
                 hint="bind((host, port)) with the arguments, so the server listens only on loopback here.")
        return info

    def fate(self, spinning=False):
        """Stop the child; a sentence about what it had done, for a failure message."""
        outcome = self.child.end()
        if outcome.status == "returned":
            return "Your serve_echo had returned: an iterative server loops forever (accept, serve, close, " \
                   "accept the next).", outcome
        if outcome.status in ("raised", "exited"):
            return f"Your server {outcome.clause}.\n" + _details(outcome), outcome
        if spinning and outcome.stack:
            func, line, text = outcome.stack[-1]
            return (f"Your server was using all the CPU it could, going round a loop at line {line} of {func}: "
                    f"`{text}`. {HINT_EOF}"), outcome
        where = f": it was {outcome.stuck_at}" if outcome.stuck_at else ""
        return f"Your server was still running{where}.", outcome


def _expect_echo(server, payload, label, *, wait=None):
    """One client: payload in, the same bytes back, then EOF. Fails with the lesson otherwise."""
    wait = CLIENT_WAIT if wait is None else wait
    pid = server.info["pid"]
    meter = CPUMeter(pid)
    seen = _exchange(server.address, payload, wait=wait)
    if seen.received == payload and seen.eof:
        return
    spinning = meter.busy
    sent = f"{label}: {_show(payload)}, then shutdown(SHUT_WR)"
    if seen.error and not seen.received and seen.sent == 0:
        why, outcome = server.fate()
        fail(f"{label} could not talk to your server: {seen.error}.\n{why}", sent=sent,
             hint=HINT_LISTEN, output=_printed(outcome))
    if seen.received == payload and not seen.error:
        why, outcome = server.fate(spinning)
        fail(f"{label}: your server echoed all {_count(len(payload))} but did not close the connection; the client "
             f"waited {wait:g} s for EOF.\n{why}", sent=sent,
             hint="when recv() returns b'' the client is done: close the connection (conn.close(), or "
                  "`with conn:`). Every accepted socket must be closed, or the server leaks descriptors.",
             output=_printed(outcome))
    got = seen.received
    at = first_difference(payload, got)
    if payload.startswith(got):
        why, outcome = server.fate(spinning)
        ending = ("then closed the connection" if seen.eof else
                  f"then the connection was reset ({seen.error}): a socket closed with unread data sends RST"
                  if seen.error else f"then nothing more for {wait:g} s")
        fail(f"{label}: your server echoed only {_count(len(got))} of {_count(len(payload))}, {ending}.\n{why}",
             sent=sent, expected=f"the same {_count(len(payload))} back, then EOF", got=_show(got),
             hint="echo in a loop until recv() returns b'' (EOF), not until a recv() returns less than "
                  "you asked for. " + HINT_SENDALL, output=_printed(outcome))
    why, outcome = server.fate(spinning)
    fail(f"{label}: the echo differs from what was sent, from byte {at:,} on ({_count(len(got))} came back of "
         f"{_count(len(payload))}).\n{why}", sent=sent, expected=f"from byte {at:,}: {_show(payload[at:at + 16])}",
         got=f"from byte {at:,}: {_show(got[at:at + 16])}",
         hint=HINT_SENDALL + " Bytes that send() did not take are lost unless you send them again.",
         output=_printed(outcome))


HINT_INTERACTIVE = ("send back what each recv() returns at once (recv, sendall it, recv again, ...) until recv() "
                    "returns b''. Do not collect the input until EOF first: a client that waits for the echo "
                    "before it sends more or closes (a person typing into telnet) would never get an answer.")


def _echo_back(sock, size):
    """What comes back on ``sock`` before ``size`` bytes are in, EOF, or CLIENT_WAIT of silence;
    and how the wait ended: None (all came), "eof", "silence" or the error."""
    got = b""
    try:
        while len(got) < size:
            chunk = sock.recv(size - len(got))
            if not chunk:
                return got, "eof"
            got += chunk
    except TimeoutError:
        return got, "silence"
    except OSError as exc:
        return got, _exception_line(exc)
    return got, None


def _expect_interactive(server, label, lines=(b"ping\n", b"pong\n")):
    """One client that waits for the echo of each line before it sends the next, then half-closes
    and waits for EOF: an echo server echoes as the bytes arrive, not once the client is done."""
    sent = f"{label}: " + ", ".join(f"{line!r} then wait for its echo" for line in lines) + ", then shutdown(SHUT_WR)"
    try:
        sock = socket.create_connection(server.address, timeout=CLIENT_WAIT)
    except OSError as exc:
        why, outcome = server.fate()
        fail(f"{label} could not talk to your server: {_exception_line(exc)}.\n{why}", sent=sent,
             hint=HINT_LISTEN, output=_printed(outcome))
    with sock:
        for index, line in enumerate(lines):
            try:
                sock.sendall(line)
            except OSError as exc:
                got, ended = b"", _exception_line(exc)
            else:
                got, ended = _echo_back(sock, len(line))
            if ended is None:
                continue
            before = f" (the echo of {lines[index - 1]!r} had come back)" if index else ""
            why, outcome = server.fate()
            if ended == "silence" and not got:
                fail(f"{label} sent {line!r}{before} and waited for its echo before sending anything else, as an "
                     f"interactive client does; nothing came back within {CLIENT_WAIT:g} s. An echo server "
                     f"echoes the bytes as they arrive, not only once the client has closed its side.\n{why}",
                     sent=sent, expected=f"{line!r} back while the connection stays open", got="nothing",
                     hint=HINT_INTERACTIVE, output=_printed(outcome))
            ending = {"silence": f"then nothing for {CLIENT_WAIT:g} s", "eof": "then the connection closed"}
            fail(f"{label} sent {line!r}{before} and got {got!r} back, {ending.get(ended, ended)}.\n{why}",
                 sent=sent, expected=f"{line!r} back while the connection stays open", got=_show(got),
                 hint=HINT_INTERACTIVE + " " + HINT_SENDALL, output=_printed(outcome))
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        rest, ended = _echo_back(sock, 1)
    if rest or ended != "eof":
        why, outcome = server.fate()
        fail(f"{label} got its echoes, but after shutdown(SHUT_WR) it got "
             + (f"{rest!r}" if rest else "no EOF" if ended == "silence" else ended) + f" instead of EOF.\n{why}",
             sent=sent, expected="EOF (recv() returns b'')",
             hint="when recv() returns b'' the client is done: close the connection (conn.close(), or `with conn:`).",
             output=_printed(outcome))


def _restart(make_listener, serve_echo, server, stack):
    """Kill the server while a client is connected (its side goes to TIME_WAIT), then start
    a new one on the same port at once."""
    port = server.address[1]
    try:
        client = socket.create_connection(server.address, timeout=CLIENT_WAIT)
        with client:
            client.sendall(b"x")
            echoed, ended = _echo_back(client, 1)
            if ended is None:
                server.handle.stop()  # the kernel closes the server's side first: FIN from the server
                with contextlib.suppress(OSError):
                    while client.recv(1024):
                        pass
    except OSError as exc:
        echoed, ended = b"", _exception_line(exc)
    if ended is not None:
        why, outcome = server.fate()
        fail(f"Before the restart, a client sent b'x' and waited for its echo: it got {echoed!r}, "
             + {"silence": f"then nothing for {CLIENT_WAIT:g} s", "eof": "then the connection closed"}.get(ended, ended)
             + f".\n{why}", sent="b'x', then wait for its echo", expected="b'x' back while the connection stays open",
             hint=HINT_INTERACTIVE, output=_printed(outcome))
    states = sorted({state for local, _remote, state in connection_states(port) if local[1] == port})
    again = _Server(make_listener, serve_echo, stack, port=port)
    if "in_use" in again.info:
        fail(f"Restarting your server on port {port} right after it was stopped failed: make_listener raised "
             f"{again.info['in_use']}.\n  A connection the old server had on that port is still in "
             f"{', '.join(states) or 'TIME_WAIT'}, so the kernel refuses a new bind() to the port.",
             sent=f"stopped your server while a client was connected, then make_listener('127.0.0.1', {port}) "
                  "at once",
             expected="a listening socket", hint="set SO_REUSEADDR before bind(): "
             "listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1). On Linux the old server's "
             "socket needs it too, so set it every time the server starts.")
    return again


@check
def check_echo_server(make_listener, serve_echo):
    """Three clients one after another (one sends 1 MiB), one that waits for each echo before it sends
    more, then a restart on the same port at once."""
    with contextlib.ExitStack() as stack:
        server = _Server(make_listener, serve_echo, stack)
        base = _socket_fds(server.info["pid"])
        _expect_echo(server, b"hello, echo\n", "client 1")
        _expect_echo(server, random.Random(41).randbytes(1 << 20), "client 2 (1 MiB)")
        _expect_echo(server, b"third client\n", "client 3")
        _no_leak(server, base, "3 clients")
        _expect_interactive(server, "client 4 (interactive)")
        again = _restart(make_listener, serve_echo, server, stack)
        _expect_echo(again, b"after the restart\n", "a client of the restarted server")


def _no_leak(server, base, clients):
    """After ``clients`` came and went, the server holds no more sockets than at the start."""
    left = _socket_fds(server.info["pid"]) - base
    if left > 0:
        why, outcome = server.fate()
        fail(f"After {clients}, each served and gone, your server still holds {left} more socket"
             f"{'s' if left != 1 else ''} than when it started: {'one per client' if left > 1 else 'a leak'}.\n{why}",
             expected="only the listening socket", got=f"{left} extra socket descriptors (from /proc/<pid>/fd)",
             hint="close every accepted socket (conn.close(), or `with conn:`); shutdown() alone does not free "
                  "it. A server that leaks one descriptor per client dies after a few thousand clients.",
             output=_printed(outcome))


# ---------------------------------------------------------------- exercise 5: an HTTP/1.0 client

HINT_HTTP = ("An HTTP response is a status line, header lines, a blank line (b'\\r\\n\\r\\n' ends the "
             "head), then the body: exactly Content-Length bytes if that header is there, else "
             "everything until the server closes. Bytes arrive in pieces of any size.")
HINT_HEAD_CUT = ("Read the head until b'\\r\\n\\r\\n' has arrived (it may take several recv() calls: one "
                 "recv() can end in the middle of a header line), then parse every line between the status line "
                 "and that blank line.")
HINT_FIRST_COLON = ("a header line is a name, a colon, then a value that may hold colons itself (a Date's time, a "
                    "URL): split each line at its first colon only, name, _, value = line.partition(':') (or "
                    "line.split(':', 1)).")
HINT_CASE = ("header names are case-insensitive (Content-Length, content-length and CONTENT-LENGTH "
             "are the same header): lower-case each name as you read it.")


def _check_no_http_library(http_get):
    used = sorted(names_used(http_get) & FORBIDDEN_NAMES)
    if used:
        fail(f"http_get uses {', '.join(used)}: this exercise is to write the client yourself.",
             hint="use only the socket module: connect, sendall the request, read the response.")


@check
def check_http_get(http_get):
    """A file in random pieces, a 64 KiB binary file, a 404, and header names in odd case."""
    _check_no_http_library(http_get)
    files = {"hello.txt": b"Hello, HTTP!\n", "data.bin": random.Random(51).randbytes(65536)}
    for path, lockstep in (("/hello.txt", True), ("/data.bin", False), ("/missing.txt", True)):
        # In lockstep, each piece waits for the reader: a head read by one recv() fails every time.
        _http_live(http_get, files, path, how="in random pieces", chunk="random", seed=51, lockstep=lockstep)
    odd = b"HTTP/1.0 200 OK\r\ncontent-LENGTH: 12\r\nX-Course:  sockets \r\n\r\nHello there!"
    _http_scripted(http_get, odd, then="hold", how="one byte at a time, header names in odd case",
                   chunk=1, gap=GAP)


def _fetch(address, path):
    """What the server answers to a plain GET of ``path``, read by a reference client (netkit.framing)."""
    with socket.create_connection(address, timeout=5.0) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        data = bytearray()
        while chunk := sock.recv(65536):
            data += chunk
    return parse_response(data, eof=True)


def _request_recorded(relay, outcome):
    """Wait until the proxy has passed on the whole request (its blank line) or the client's end:
    a scripted server answers without reading, so http_get may return before the proxy saw it all."""
    def done(chunks):
        upward = [chunk for chunk in chunks if chunk.direction == "->"]
        return b"\r\n\r\n" in b"".join(chunk.data for chunk in upward) \
            or any(chunk.event in ("close", "reset") for chunk in upward)

    if outcome.status == "returned":  # the child is gone, its socket closed: this takes microseconds
        relay.recording.wait_for(done, CLIENT_WAIT)


def _http_live(http_get, files, path, *, how, host=None, **proxy):
    """http_get against netkit's HTTP server (behind a proxy), compared with a reference fetch.

    ``host``: the name to call it with (such as 'localhost') instead of the proxy's address."""
    with http_server(files=files) as address:
        expected = _fetch(address, path)
        with tcp_proxy(address, **proxy) as relay:
            called = (host or relay.address[0], relay.address[1])
            outcome = run(http_get, *called, path, deadline=DEADLINE * 2, forbid=FORBIDDEN_HTTP)
            _request_recorded(relay, outcome)
    _judge_http(outcome, called, path, relay.recording, expected, how=how, varying={"date"})


def _http_scripted(http_get, script, *, then, how, **proxy):
    """http_get against a scripted response (behind a proxy when knobs are given)."""
    with scripted_server(script, then=then) as address, tcp_proxy(address, **proxy) as relay:
        outcome = run(http_get, relay.address[0], relay.address[1], "/", deadline=DEADLINE, forbid=FORBIDDEN_HTTP)
        _request_recorded(relay, outcome)
    raw = script if isinstance(script, bytes) else b"".join(script)
    _judge_http(outcome, relay.address, "/", relay.recording, parse_response(raw, eof=True), how=how,
                kept_open=then == "hold")


def _judge_http(outcome, address, path, recording, expected, *, how, kept_open=False, varying=()):
    """Compare what http_get returned with ``expected`` (a netkit.framing Response).

    Headers named in ``varying`` (the server's Date) must be there, with any value.
    """
    not_written(outcome, "http_get")
    call_text = f"http_get({address[0]!r}, {address[1]}, {path!r})"
    trace = _trace(recording, 10)
    status = expected.status
    headers = {name.lower(): value for name, value in expected.head.headers}
    body = expected.body
    if outcome.status == "raised" and type(outcome.exception).__name__ == "ForbiddenModuleError":
        fail(f"{call_text} {outcome.clause}", hint="write the client with the socket module only.")
    if outcome.status == "timeout":
        request = recording.data("->")
        if not request.endswith(b"\r\n\r\n"):
            fail(f"{call_text} did not return within {DEADLINE:g} s: the server is still waiting for the end of "
                 "your request (a blank line).\n" + _details(outcome), sent=request, trace=trace,
                 hint="a request ends with an empty line: b'GET /path HTTP/1.0\\r\\n\\r\\n'.",
                 output=_printed(outcome))
        length = expected.header("content-length")
        named = next((name for name, _v in expected.head.headers if name.lower() == "content-length"), None)
        fail(f"{call_text} did not return within {DEADLINE:g} s. The server had sent the whole response ({how})"
             + (f" with a {named!r} header, and kept the connection open: the body ends after "
                f"{length} bytes, not when the server closes." if kept_open and length is not None
                else ", then closed the connection." if not kept_open else ".") + "\n" + _details(outcome),
             trace=trace, hint=(HINT_CASE + " " if kept_open and named else "") + HINT_HTTP, output=_printed(outcome))
    if outcome.status == "raised" and status >= 400:
        fail(f"{call_text} {outcome.clause}\n  The server had answered with status {status} and a whole response: "
             "an answer like any other.\n" + _details(outcome), trace=trace, expected=f"({status}, headers, body)",
             hint=f"a {status} is a normal response, not an exception: return (status, headers, body) whatever the "
                  "status; the caller decides what a 404 means. " + HINT_HTTP, output=_printed(outcome))
    with_colons = [f"{name}: {value}" for name, value in expected.head.headers if ":" in value]
    if outcome.status == "raised" and isinstance(outcome.exception, ValueError) and with_colons:
        fail(f"{call_text} {outcome.clause}\n  The response had header values that hold a colon themselves, "
             f"such as {with_colons[0]!r}.\n" + _details(outcome), trace=trace,
             hint=HINT_FIRST_COLON + " " + HINT_HTTP, output=_printed(outcome))
    if outcome.status == "raised" and isinstance(outcome.exception, KeyError) and \
            "content-length" in str(outcome.exception).lower() and expected.header("content-length") is None:
        fail(f"{call_text} {outcome.clause}\n  This response has no Content-Length header.\n" + _details(outcome),
             trace=trace, hint="without Content-Length the body is everything until the server closes: look the "
                               "header up with `in` or .get(), and read to EOF when it is missing. " + HINT_HTTP,
             output=_printed(outcome))
    if outcome.status != "returned":
        fail(f"{call_text} {outcome.clause}\n" + _details(outcome), trace=trace, hint=HINT_HTTP,
             output=_printed(outcome))
    value = outcome.value
    if not (isinstance(value, (tuple, list)) and len(value) == 3):
        fail(f"{call_text} returned {_show(value)}: expected a tuple (status, headers, body).",
             hint="return status (an int), headers (a dict with lower-case names) and body (bytes).")
    got_status, got_headers, got_body = value
    if isinstance(got_headers, dict):  # any Date will do, but a whole one (a cut head cuts it too)
        headers.update({key: got_headers[key] for key in varying if key in got_headers and key in headers
                        and isinstance(got_headers[key], str) and len(got_headers[key]) == len(headers[key])})
    if got_status != status:
        fail(f"{call_text} returned status {got_status!r}; the server said {status!r} ({how}).",
             trace=trace, hint="the status line is b'HTTP/1.0 200 OK\\r\\n': the status is its second word, "
                               "as an int. A 404 is a normal response, not an error to raise.")
    if not isinstance(got_headers, dict):
        fail(f"{call_text} returned headers as {type(got_headers).__name__}, not a dict.",
             hint="return a dict: lower-case header name -> value (str, spaces around it stripped).")
    if got_headers != headers:
        missing = sorted(set(headers) - set(got_headers))
        extra = sorted(map(str, set(got_headers) - set(headers)))
        wrong = sorted(k for k in set(headers) & set(got_headers) if headers[k] != got_headers[k])
        parts = ([f"missing {missing}"] if missing else []) + ([f"unexpected {extra}"] if extra else []) \
            + [f"{k!r} is {got_headers[k]!r}, not {headers[k]!r}" for k in wrong]
        upper = any(isinstance(k, str) and k != k.lower() for k in got_headers)
        # A value cut at its own first colon ('Wed, 02 Dec 2026 16' of a Date) was split on every colon.
        at_colon = [k for k in wrong if isinstance(got_headers[k], str) and ":" in headers[k]
                    and got_headers[k].strip() == headers[k].split(":", 1)[0].strip()]
        if at_colon:
            fail(f"{call_text} returned the wrong headers: {'; '.join(parts)}.\n  Each of "
                 f"{', '.join(map(repr, at_colon))} stops where its value has a colon of its own.",
                 expected=repr(headers)[:240], got=repr(got_headers)[:240], trace=trace, hint=HINT_FIRST_COLON)
        # A head read with one recv() loses its last lines, or cuts one: 'content-le' with the value ''.
        seen = {k.lower() for k in got_headers if isinstance(k, str)}
        cut = any(name not in seen for name in missing) \
            or any(k.lower() not in headers and any(name.startswith(k.lower()) for name in headers) for k in extra) \
            or any(isinstance(got_headers[k], str) and got_headers[k].strip() != headers[k]
                   and headers[k].startswith(got_headers[k].strip()) for k in wrong)
        fail(f"{call_text} returned the wrong headers: {'; '.join(parts)}.",
             expected=repr(headers)[:240], got=repr(got_headers)[:240], trace=trace,
             hint=(HINT_HEAD_CUT + " " if cut else "") + (HINT_CASE + " " if upper else "")
             + "Values are str, with the spaces around them stripped.")
    if not isinstance(got_body, (bytes, bytearray)) or bytes(got_body) != body:
        shown = bytes(got_body) if isinstance(got_body, (bytes, bytearray)) else repr(got_body)[:80]
        short = isinstance(got_body, (bytes, bytearray)) and len(got_body) < len(body)
        # The body cut where it holds a blank line of its own: the response was split at every b'\r\n\r\n'.
        at_blank = short and b"\r\n\r\n" in body and body.startswith(bytes(got_body) + b"\r\n\r\n")
        fail(f"{call_text} returned the wrong body ({how}): {_count(len(body))} expected."
             + ("\n  Yours stops where the body holds a blank line (b'\\r\\n\\r\\n') of its own." if at_blank else ""),
             expected=body, got=shown, trace=trace,
             hint=("only the first b'\\r\\n\\r\\n' ends the head; the body is bytes and may hold more: split at "
                   "the first one only (partition), then read Content-Length bytes. " if at_blank else
                   "one recv() is not the whole body: keep reading until you have Content-Length bytes "
                   "(or until EOF when there is no Content-Length). " if short else "") + HINT_HTTP,
             output=_printed(outcome))
    request = recording.data("->")
    if b"\r\n\r\n" not in request:
        fail(f"{call_text} sent a request without the blank line that ends it.", sent=request[:120],
             hint="a request ends with an empty line: b'GET /path HTTP/1.0\\r\\nHost: ...\\r\\n\\r\\n'. (This "
                  "server answered anyway; most wait for the blank line.)")
    line = request.split(b"\r\n", 1)[0]
    wanted = f"GET {path} HTTP/1.0".encode()
    if line != wanted:
        fail(f"{call_text} sent a request line other than {wanted!r}.", sent=request[:80], expected=wanted,
             got=line, hint="the request is b'GET /path HTTP/1.0\\r\\n', optional header lines, then b'\\r\\n'.")
    names = [field.split(b":", 1)[0].strip().lower() for field in request.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]]
    if b"host" not in names:
        fail(f"{call_text} sent a request without a Host header.", sent=request[:120],
             expected=f"b'GET {path} HTTP/1.0\\r\\nHost: {address[0]}\\r\\n\\r\\n'",
             hint="the exercise asks for a Host header: one address may serve many web sites, and Host "
                  "says which one you mean (HTTP/1.1 makes it compulsory). Send b'Host: ' + host, ending in "
                  "b'\\r\\n', between the request line and the blank line.")


# ---------------------------------------------------------------- exercise 6: half-close


def _sort_server():
    """A server that answers only after EOF: it sorts the lines of the request (it cannot print the
    first line of the answer before it has read the last line of the question)."""
    state = {"request": bytearray(), "eof_at": None, "read": threading.Event()}

    def handler(conn, addr):
        while chunk := conn.recv(65536):
            state["request"].extend(chunk)
        state["eof_at"] = time.monotonic()
        state["read"].set()
        conn.sendall(b"".join(sorted(bytes(state["request"]).splitlines(keepends=True))))

    return handler, state


class _SmallSendBuffer(socket.socket):
    """``socket.socket`` in the child that runs ask(): a TCP socket starts with a small send buffer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.type == socket.SOCK_STREAM:
            with contextlib.suppress(OSError):
                self.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_SNDBUF)


def _ask_child(ask, host, port, request):
    """In the child: ask() with every socket it makes in timeout mode (non-blocking inside) and with a
    small send buffer, as the checks of exercises 3 and 4 do: there one send() of a big request takes
    only part of it, as on a busy network. (A blocking socket's send() on Linux waits until it took all.)"""
    socket.setdefaulttimeout(DEADLINE * 4)
    socket.socket = _SmallSendBuffer  # create_connection() and socket.socket() make sockets from this name
    return ask(host, port, request)


def _ask_case(ask, request, *, how, host=None, **proxy):
    """``host``: the name to call ask with (such as 'localhost') instead of the proxy's address."""
    handler, state = _sort_server()
    expected = b"".join(sorted(request.splitlines(keepends=True)))
    with tcp_server(handler) as address, tcp_proxy(address, **proxy) as relay:
        started = time.monotonic()
        called = (host or relay.address[0], relay.address[1])
        outcome = run(_ask_child, ask, *called, request, deadline=DEADLINE)
        if outcome.status == "returned":  # its socket is closed now: the server gets to the end of the request
            state["read"].wait(CLIENT_WAIT)
        recording = relay.recording
    not_written(outcome, "ask")
    call_text = f"ask({called[0]!r}, {called[1]}, {show_bytes(request, 30)})"
    trace = _trace(recording, 12)
    sent = f"a sort server that answers after EOF; the reply comes {how}"
    if outcome.status == "timeout":
        eof_at = state["eof_at"]
        if eof_at is None or eof_at - started >= DEADLINE:  # EOF only when the child was killed
            fail(f"{call_text} did not return within {DEADLINE:g} s: the server was still waiting for the end of "
                 "your request, and your code was waiting for its reply. Neither can move: a deadlock.\n"
                 + _details(outcome), sent=sent, trace=trace,
                 hint="after sendall(request), call sock.shutdown(socket.SHUT_WR): the server reads EOF, "
                      "and you can still read its reply.", output=_printed(outcome))
        fail(f"{call_text} did not return within {DEADLINE:g} s, although the server had answered and closed "
             "the connection.\n" + _details(outcome), sent=sent, trace=trace, hint=HINT_EOF, output=_printed(outcome))
    if outcome.status == "raised" and isinstance(outcome.exception, OSError) and \
            getattr(outcome.exception, "errno", None) == errno.EBADF:
        fail(f"{call_text} raised {_exception_line(outcome.exception)}: after close() the socket is gone in both "
             "directions, so the reply cannot be read.\n" + _details(outcome), sent=sent, trace=trace,
             hint="shutdown(socket.SHUT_WR) closes only your sending direction (the server sees EOF); "
                  "close() the socket after you have read the reply.", output=_printed(outcome))
    if outcome.status != "returned":
        fail(f"{call_text} {outcome.clause}\n" + _details(outcome), sent=sent, trace=trace,
             hint="send, shutdown(SHUT_WR), then read until recv() returns b''.", output=_printed(outcome))
    received = bytes(state["request"])
    if received != request:
        short = len(received) < len(request) and request.startswith(received)
        fail(f"{call_text}: the server received " + (f"only the first {_count(len(received))} of your request's "
             f"{len(request):,} before your EOF, so it answered only those." if short else
             f"{_count(len(received))} that differ from your request's {_count(len(request))}."), sent=sent,
             expected=f"the whole request: {show_bytes(request, 40)}", got=show_bytes(received, 40), trace=trace,
             hint=HINT_SENDALL + " Here the socket has a small send buffer, as on a busy network.",
             output=_printed(outcome))
    got = outcome.value
    if not isinstance(got, (bytes, bytearray)) or bytes(got) != expected:
        got_bytes = bytes(got) if isinstance(got, (bytes, bytearray)) else None
        if got_bytes == b"" and expected:
            fail(f"{call_text} returned b'' although the server answered {_count(len(expected))}.", sent=sent,
                 expected=expected, got=b"", trace=trace,
                 hint="shutdown(SHUT_RDWR) (or SHUT_RD) also ends your reading direction: use SHUT_WR, which "
                      "ends only the sending one.", output=_printed(outcome))
        short = got_bytes is not None and expected.startswith(got_bytes)
        fail(f"{call_text} returned {'only part of the reply' if short else 'the wrong bytes'}.", sent=sent,
             expected=expected, got=got_bytes if got_bytes is not None else repr(got)[:80], trace=trace,
             hint=("read until recv() returns b'' (EOF), not until a recv() returns less than you asked for. "
                   if short else "") + "The reply is everything the server sends before it closes.",
             output=_printed(outcome))


@check
def check_ask(ask):
    """A server that answers only after EOF, its reply in random pieces; a request of about 100 KB."""
    _ask_case(ask, b"pear\napple\nfig\n", how="in random pieces", chunk="random", seed=61, lockstep=True)
    rng = random.Random(62)
    words = [b"%s %d\n" % (rng.choice([b"kiwi", b"lime", b"date", b"plum"]), rng.randrange(10**6))
             for _ in range(10000)]
    _ask_case(ask, b"".join(words[:2000]), how="in random pieces", chunk="random", seed=62, lockstep=True)
    _ask_case(ask, b"".join(words), how="as fast as the kernel allows")  # more than one send() takes at once


