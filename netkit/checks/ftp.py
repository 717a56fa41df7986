"""Checks for notebook 01 (client-server and FTP): a client written with nothing but sockets.

Each exercise has a visible check (``check_x``), which its test cell calls:

==================  =====================================  ===========================================
exercise            student writes                         the check drives it with
==================  =====================================  ===========================================
1 replies           read_reply(reader) -> (code, text)     pyftpdlib and scripted peers, one byte per
                                                           segment, replies glued together, EOF (also
                                                           inside a line), junk; the text compared exactly
2 login             login(sock, reader, user, password)    pyftpdlib, a fake server (230 at once, 530
                                                           at once, multi-line 230), random segments
3 PASV              parse_pasv(text) -> (host, port)       real and hand-made 227 texts, malformed ones,
                                                           numbers that are not the address
4 download          download(sock, reader, name) -> bytes  pyftpdlib: 1 MiB of random bytes, a missing
                                                           file, three in a row, an empty file; replies
                                                           in seeded pieces
5 upload            upload(sock, reader, name, data)       pyftpdlib; the file in its root, byte for byte
6 transport         transport_needs() -> dict              the lecture's table
==================  =====================================  ===========================================

``reader`` is ``sock.makefile("rb")``: a buffer in front of the control connection that
keeps what was read past one reply for the next. The reference for every reply and
every 227 text is ``netkit.ftpproto`` (pure code). The student's code runs in a child
process under ``netkit.runner`` with ``ftplib`` forbidden, so a hang or a crash costs
only a message; the control connection goes through a recording ``tcp_proxy`` so a
failure shows what crossed the wire.
"""

import contextlib
import functools
import random
import re
import socket
import types
from dataclasses import dataclass, field

from .. import ftpproto
from ..errors import PeerError
from ..ftp import FTPHandler, FTPServer, ftp_server  # FTPHandler: pyftpdlib's, imported there without its warning
from ..ftpproto import ReplyParser, command
from ..proxies import lockstep_peer, lockstep_proxy, tcp_proxy
from ..runner import run
from ..servers import scripted_server, tcp_server
from ..wire import EVENTS
from ._base import check, fail, fail_unclosed, show_bytes
from ._harness import first_difference, not_written

__all__ = [
    "check_read_reply",
    "check_login",
    "check_parse_pasv",
    "check_download",
    "check_upload",
    "check_transport_needs",
    "sample_file", "TRANSPORT_WORDS",
]

FORBID = ("ftplib",)            # the exercises are to write what ftplib does
DEADLINE = 2.0                  # a right answer takes milliseconds; a wrong one costs this
TRANSFER_DEADLINE = 3.0
SOCKET_TIMEOUT = 10.0           # longer than any deadline, so the runner says where code is stuck
GAP = 0.001                     # seconds between the pieces of a re-segmented reply
USER, PASSWORD = "student", "secret"
WIND_UP_TIMEOUT = 1.0           # after the function: how long the server may take to finish and close
AFTER_QUIT = 0.5                # after the 221: how long a late 226 may take when the server's close cannot show
TRANSFER_REPLIES = (125, 150, 226, 250)   # what a transfer says on the control connection

HINT_LINES = ("'One recv is not one reply' in the notebook: TCP is a byte stream, so a read returns "
              "whatever has arrived (one byte, or two replies). Read whole lines with reader.readline(), "
              "and stop after the reply's last line")
HINT_MULTI = ("'Multi-line replies': a first line 'ddd-text' starts a reply that ends only at a line "
              "that starts with the same code and a space, 'ddd text'; lines in between may look like "
              "anything")
HINT_STEP = ("'Log in': send one command, read its whole reply, decide from the code what to send next "
             "(USER -> 331 -> PASS -> 230); the replies must stay in step with the commands")
HINT_PASV = ("'Two connections': a 227 reply names the data port as two bytes, high byte first "
             "(network byte order): port = p1 * 256 + p2, host = 'h1.h2.h3.h4'")
HINT_DATA_EOF = ("'Two connections': the data connection carries the file as a byte stream, and the "
                 "server closes it at the end of the file: read the data connection until EOF, calling recv() "
                 "until it returns b''")
HINT_226 = ("'Two connections': after the data connection closes, the control connection still holds "
            "the final reply (226 Transfer complete); read it before the next command")
HINT_BINARY = ("'Binary or ASCII': send TYPE I (binary) before the transfer, since in the default ASCII type "
               "the server rewrites line ends; and keep the data as bytes (no decoding, no text-mode files)")
HINT_CLOSE = ("the server learns that the file is complete only when the data connection closes; close "
              "it (leave its with-block) before you read the 226")
HINT_FORBIDDEN = ("the exercise is to write it yourself, with the socket module, reader.readline(), str and int; "
                  "from netkit.ftpproto you may use FTPError, nothing else")
HINT_REFUSED = ("read the reply to RETR/STOR before touching the data connection: a 4xx or 5xx reply "
                "means no transfer will happen, so raise FTPError(code, text) with the server's reply")


# ---------------------------------------------------------------------------------------
# Samples


def sample_file(size=1 << 20, seed=1):
    """``size`` seeded random bytes that start with every byte a text transfer would change."""
    head = b"\r\n\x00\n\r\x1a\xff\xfe"
    return head + random.Random(seed).randbytes(max(size - len(head), 0))


SAMPLE = sample_file()
HELLO = b"Hello, FTP!\r\nThis file has two lines.\r\n"
FILES = {"random.bin": SAMPLE, "hello.txt": HELLO, "empty.bin": b""}


# ---------------------------------------------------------------------------------------
# Running the student's code, and saying what happened


def _name(func):
    return getattr(func, "__name__", None) or "your function"


def _indent(text, prefix="  "):
    return "\n".join(prefix + line for line in text.rstrip().splitlines())


def _lead(doing, name):
    """'While reading X, read_reply' (or just the name): how every summary starts."""
    return f"{doing[0].upper()}{doing[1:]}, {name}" if doing else name


def _did_not_return(outcome, name, doing, note=None, **details):
    """Fail for any outcome but 'returned', saying what the code did instead (``note``: one more line)."""
    not_written(outcome, name)
    if outcome.status == "raised" and isinstance(outcome.exception, PeerError):
        raise outcome.exception
    lead = _lead(doing, name)
    if outcome.status == "raised" and type(outcome.exception).__name__ == "ForbiddenModuleError":
        details["hint"] = HINT_FORBIDDEN
    if outcome.status == "raised":
        exc = outcome.exception
        summary = f"{lead} raised {type(exc).__name__}: {exc}"
        if outcome.traceback:
            summary += "\n" + _indent(outcome.traceback)
    elif outcome.status == "timeout":
        summary = f"{lead} did not return within {outcome.deadline:g} s"
        summary += f": {outcome.stuck_at}." if outcome.stuck_at else "."
        summary += "".join(f"\n  called from line {line} of {func}: `{text}`"
                           for func, line, text in reversed(outcome.stack[:-1]))
    else:
        summary = f"{lead} {outcome.clause}."
    if note:
        summary += f"\n  {note}"
    fail(summary, output=outcome.output, **details)


def _run(scenario, *args, deadline=DEADLINE, **kwargs):
    return run(scenario, *args, deadline=deadline, forbid=FORBID, **kwargs)


# ---------------------------------------------------------------------------------------
# Inside the child: the check's side of the control connection


def _connect(peer):
    """The control connection and its reader: to ``peer`` (an address), or ``peer`` itself (a
    connected socket, such as a lockstep peer's, which the child inherits)."""
    sock = peer if isinstance(peer, socket.socket) else socket.create_connection(peer, timeout=SOCKET_TIMEOUT)
    return sock, sock.makefile("rb")


def _reference_reply(reader):
    """One reply read with the reference parser (on the student's reader: nothing is lost)."""
    parser = ReplyParser()
    while (reply := parser.next_reply()) is None:
        line = reader.readline()
        if not line:
            raise PeerError("the FTP server closed the control connection")
        parser.feed(line)
    return reply


def _reference_login(sock, reader, user=USER, password=PASSWORD):
    _reference_reply(reader)
    for verb, argument in (("USER", user), ("PASS", password)):
        sock.sendall(command(verb, argument))
        reply = _reference_reply(reader)
    if reply.code != 230:
        raise PeerError(f"the check could not log in: {reply}")


def _follow_up(sock, reader, line=b"NOOP\r\n"):
    """Send ``line`` and read replies until one that is not left over from a transfer: (left_over, reply).

    ``reply`` is None when the student's code closed the control connection.
    """
    left = []
    try:
        sock.sendall(line)
        reply = _reference_reply(reader)
        while reply.code in TRANSFER_REPLIES:
            left.append(reply)
            reply = _reference_reply(reader)
    except (PeerError, OSError, ValueError):
        return left, None
    return left, reply


# ---------------------------------------------------------------------------------------
# Comparing replies


def _reply_problem(value):
    """Why ``value`` is not a (code, text) pair, or None."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return f"{value!r:.120} is not a pair (code, text)"
    code, text = value
    if isinstance(code, bool) or not isinstance(code, int):
        return f"the code {code!r} is a {type(code).__name__}; make it an int, e.g. int(b'220')"
    if not isinstance(text, str):
        return f"the text {text!r:.80} is a {type(text).__name__}; decode it to str"
    return None


def _same_reply(value, expected, exact=True):
    """Same code and text: exactly (read_reply), or line by line up to whitespace at the ends (``exact=False``)."""
    if _reply_problem(value):
        return False
    code, text = value
    if exact:
        return code == expected[0] and text == expected[1]
    return code == expected[0] and [s.strip() for s in text.split("\n")] == [
        s.strip() for s in expected[1].split("\n")]


def _text_problem(text, expected):
    """What a nearly right reply text got wrong, as (problem, hint); None if nothing stands out."""
    if not isinstance(text, str) or text == expected:
        return None
    if "\r" in text and text.replace("\r", "") == expected:
        return ("the text keeps the '\\r' of each line ending b'\\r\\n'",
                "a line ends with two bytes, b'\\r\\n'; cut both (e.g. line.rstrip(b'\\r\\n')) before "
                "the lines are joined with '\\n'")
    got_lines, want_lines = text.split("\n"), expected.split("\n")
    if len(got_lines) == len(want_lines) and [s.strip() for s in got_lines] == [s.strip() for s in want_lines]:
        number, got, want = next((n, g, w) for n, (g, w) in enumerate(zip(got_lines, want_lines), 1) if g != w)
        return (f"line {number} of the text is {got!r}, expected {want!r}: its spaces changed",
                "only the line ending and the 'ddd-' or 'ddd ' prefix of the first and the last line are cut; "
                "the lines in between stay as they are, spaces included (RFC 959's own example keeps the two "
                "spaces of '  234 A line beginning with numbers'): do not strip() them")
    return None


def _shown(reply):
    return repr(tuple(reply)) if isinstance(reply, (tuple, list)) else repr(reply)


# ---------------------------------------------------------------------------------------
# Exercise 1: read_reply


@dataclass(frozen=True)
class _ReplyCase:
    """Bytes a peer sends (``wire``), and what read_reply should make of them."""

    story: str                          # "... while reading <story>"
    wire: bytes | None                  # None: a real pyftpdlib server
    expected: tuple = ()                # replies, in order; or an exception type
    raises: tuple = ()                  # acceptable exception types
    chunk: object = None                # the proxy's re-segmenting, None: none
    lockstep: int | None = None         # pieces of this many bytes from a lockstep peer (a scripted wire)
    then: str = "hold"
    send: dict = field(default_factory=dict)   # index -> bytes sent before reading reply #index
    hint: str = HINT_LINES
    shown: bytes = b""                  # what a real server sends, for the message


GREETING = ftpproto.Reply(220, "netkit FTP server ready.")
GREETING_WIRE = b"220 netkit FTP server ready.\r\n"
WELCOME = b"220-Welcome to the course FTP server.\r\n Please be nice to it.\r\n220 Ready.\r\n"
WELCOME_REPLY = (220, "Welcome to the course FTP server.\n Please be nice to it.\nReady.")

READ_REPLY_CASES = [
    _ReplyCase("the greeting of a real FTP server", None, (GREETING,), shown=GREETING_WIRE,
               hint="a reply is a line: three digits, a space, the text, then b'\\r\\n'; "
                    "reader.readline() gives you one line"),
    _ReplyCase("a greeting that arrives one byte per TCP segment", GREETING_WIRE, (GREETING,), lockstep=1),
    _ReplyCase("a multi-line reply", WELCOME, (WELCOME_REPLY,), hint=HINT_MULTI),
    _ReplyCase("two replies that arrive in one TCP segment (call 1 of 2, then 2 of 2)",
               b"331 Password required for student.\r\n230 Logged in.\r\n",
               ((331, "Password required for student."), (230, "Logged in.")),
               hint="two replies can arrive in one segment: take one reply per call and leave the rest "
                    "in the reader for the next call (reader.readline() reads no further than one line)"),
]


def _read_replies(read_reply, address, expected, send):
    """In the child: read len(expected) replies, stopping at the first one that is wrong."""
    sock, reader = _connect(address)
    with sock, reader:
        got = []
        for index, want in enumerate(expected):
            if index in send:
                sock.sendall(send[index])
            got.append(read_reply(reader))
            if not _same_reply(got[-1], want):
                break
        return got


def _read_once(read_reply, address):
    sock, reader = _connect(address)
    with sock, reader:
        return read_reply(reader)


@contextlib.contextmanager
def _peer(case):
    """The case's server, behind a re-segmenting proxy when the case says so; or a lockstep peer,
    whose pieces each recv() sees one at a time, however late the child starts reading."""
    if case.lockstep is not None:
        with lockstep_peer(case.wire, chunk=case.lockstep, then=case.then) as (sock, _recording):
            yield sock
        return
    with contextlib.ExitStack() as stack:
        if case.wire is None:
            address = stack.enter_context(ftp_server()).address
        else:
            address = stack.enter_context(scripted_server(case.wire, then=case.then))
        if case.chunk is not None:
            proxy = stack.enter_context(tcp_proxy(address, chunk=case.chunk, gap=GAP, seed=7))
            address = proxy.address
        yield address


def _sent(case):
    wire = case.wire if case.wire is not None else case.shown
    pieces = {None: "", 1: ", one byte per segment", "random": ", in random pieces"}[case.lockstep or case.chunk]
    return f"{show_bytes(wire, 120)}{pieces}"


def _check_reply_case(read_reply, case):
    name = _name(read_reply)
    with _peer(case) as address:
        if case.raises:
            outcome = _run(_read_once, read_reply, address)
        else:
            outcome = _run(_read_replies, read_reply, address, case.expected, case.send)
    doing = f"while reading {case.story}"
    if case.raises:
        wanted = " or ".join(e.__name__ for e in case.raises)
        if outcome.status == "raised" and isinstance(outcome.exception, case.raises):
            return
        if outcome.status == "returned":
            fail(f"{_lead(doing, name)} returned {_shown(outcome.value)}.", sent=_sent(case),
                 expected=f"{wanted} raised", hint=case.hint, output=outcome.output)
        _did_not_return(outcome, name, doing, sent=_sent(case), expected=f"{wanted} raised", hint=case.hint)
    if outcome.status != "returned":
        _did_not_return(outcome, name, doing, sent=_sent(case),
                        expected=", then ".join(_shown(e) for e in case.expected), hint=case.hint)
    got = outcome.value
    for index, (value, want) in enumerate(zip(got, case.expected)):
        if not _same_reply(value, want):
            call = f" (call {index + 1} of {len(case.expected)})" if len(case.expected) > 1 else ""
            problem, hint = _reply_problem(value), case.hint
            if not problem and value[0] == want[0]:
                problem, hint = _text_problem(value[1], want[1]) or (None, hint)
            fail(f"{_lead(doing, name)} returned a wrong reply{call}." + (f"\n  {problem}." if problem else ""),
                 sent=_sent(case), expected=_shown(want), got=_shown(value), hint=hint,
                 output=outcome.output)


@check
def check_read_reply(read_reply):
    """read_reply reads a real greeting, one byte at a time, a multi-line reply, two glued replies."""
    for case in READ_REPLY_CASES:
        _check_reply_case(read_reply, case)


# ---------------------------------------------------------------------------------------
# Exercise 2: login


def _fake_ftp(replies):
    """A tiny FTP control server: a greeting, then replies[verb] for each command line."""

    def handle(conn, addr):
        conn.sendall(b"220 netkit test server ready.\r\n")
        with conn.makefile("rb") as lines:
            for line in lines:
                verb = line.split(b" ", 1)[0].strip().upper().decode("ascii", "replace")
                conn.sendall(replies.get(verb, b"502 Command not implemented.\r\n"))

    return tcp_server(handle)


@dataclass(frozen=True)
class _LoginCase:
    story: str
    replies: dict | None                # None: pyftpdlib; else the fake server's script
    user: str = USER
    password: str = PASSWORD
    expected: tuple | None = None       # the returned reply; None: FTPError expected
    error: tuple | None = None          # (code, text) of the expected FTPError
    chunk: object = None
    after: bytes = b"NOOP\r\n"
    after_code: int = 200
    hint: str = HINT_STEP


LOGGED_IN = (230, "Login successful.")
REFUSED = (530, "Authentication failed.")

LOGIN_CASES = [
    _LoginCase("logging in with the right password", None, expected=LOGGED_IN, after=b"PWD\r\n", after_code=257),
    _LoginCase("logging in with a wrong password", None, password="not-the-password", error=REFUSED,
               hint="a reply that says no (4xx, 5xx) must become FTPError(code, text) with the server's "
                    "code and text; raise it, do not return it"),
]


def _login_then(login, address, user, password, after):
    """In the child: greeting, the student's login, then one more command: (value, left_over, reply)."""
    sock, reader = _connect(address)
    with sock, reader:
        _reference_reply(reader)
        value = login(sock, reader, user, password)
        left, reply = _follow_up(sock, reader, after)
        return value, left, reply


@contextlib.contextmanager
def _recorded(server, chunk=None, gap=None, lockstep=False):
    """``server`` (a context manager) behind a recording proxy: yields (address, proxy).

    ``gap`` (seconds between pieces) defaults to ``GAP`` for one byte per segment, else none.
    ``lockstep``: the replies come in ``chunk`` pieces, each recv() sees one however late the child
    reads (``netkit.proxies.lockstep_proxy``); then a connected socket stands where the address
    was, and ``proxy`` holds only the ``recording``.
    """
    gap = (GAP if chunk == 1 else 0.0) if gap is None else gap
    with server as site:
        address = getattr(site, "address", site)
        if lockstep:
            with lockstep_proxy(address, chunk=chunk, seed=11) as (sock, recording):
                yield sock, types.SimpleNamespace(recording=recording)
            return
        with tcp_proxy(address, chunk=chunk, gap=gap, seed=11) as proxy:
            yield proxy.address, proxy


def _server_replies(proxy):
    """The replies the server sent through ``proxy``, read with the reference parser."""
    parser = ReplyParser()
    parser.feed(b"".join(c.data for c in proxy.recording.chunks if c.direction == "<-" and c.data))
    replies = []
    with contextlib.suppress(ValueError):
        while (reply := parser.next_reply()) is not None:
            replies.append(reply)
    return replies


def _bare_newline(proxy, lead, trace, outcome):
    """Fail if the client sent a command that ends with b'\\n' alone (RFC 959 ends commands with b'\\r\\n')."""
    sent = b"".join(c.data for c in proxy.recording.chunks if c.direction == "->" and c.data)
    line = next((line for line in sent.split(b"\n")[:-1] if not line.endswith(b"\r")), None)
    if line is None:
        return
    waited = " The server was still waiting for the end of that line, so no reply came." \
        if outcome.status == "timeout" else ""
    fail(f"{lead} sent a command that ends with b'\\n' alone.{waited}", sent=line + b"\n",
         expected=line + b"\r\n", trace=trace, output=outcome.output,
         hint="every FTP command ends with b'\\r\\n' (RFC 959), as every reply does: "
              "sock.sendall(f'USER {user}\\r\\n'.encode())")


def _trace(proxy, limit=24):
    """The control connection line by line, pieces merged: ``<- 0.004s  b'331 Password required.\\r\\n'``.

    A reply cut into random pieces reads as the lines it is made of; a FIN or an RST is a
    line of its own; the middle of a long conversation is left out.
    """
    rows, pending = [], {}
    for chunk in proxy.recording.chunks:
        arrow = chunk.direction
        if chunk.event:
            if arrow in pending:
                rows.append((pending[arrow][0], arrow, repr(pending.pop(arrow)[1])))
            rows.append((chunk.t, arrow, EVENTS[chunk.event]))
            continue
        t, buffer = pending.pop(arrow, (chunk.t, b""))
        buffer += chunk.data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            rows.append((t, arrow, repr(line + b"\n")))
            t = chunk.t
        if buffer:
            pending[arrow] = (t, buffer)
    rows.extend((t, arrow, repr(buffer)) for arrow, (t, buffer) in pending.items())
    lines = [f"{arrow} {t:6.3f}s  {text[:90]}" for t, arrow, text in rows]
    if len(lines) > limit:
        tail = limit // 4
        lines = lines[:limit - tail - 1] + [f"... {len(lines) - limit + 1} more lines ..."] + lines[-tail:]
    return "\n".join(["(-> client to server, <- server to client)", *lines]) if lines else "(nothing crossed)"


def _is_ftp_error(exc):
    """An FTPError, or an exception of the student's that carries a reply code."""
    return type(exc).__name__ == "FTPError" or getattr(exc, "code", None) is not None


def _error_of(exc):
    """(code, text) of an FTPError-like exception, or None."""
    code, text = getattr(exc, "code", None), getattr(exc, "text", None)
    if code is None and len(getattr(exc, "args", ())) == 2:
        code, text = exc.args
    return code, text


def _expect_ftp_error(outcome, name, doing, error, hint, trace):
    wanted = f"FTPError({error[0]}, {error[1]!r})"
    if outcome.status == "returned":
        value = outcome.value[0] if isinstance(outcome.value, tuple) and len(outcome.value) == 3 else outcome.value
        fail(f"{_lead(doing, name)} returned {_shown(value)}, but the server said no.",
             expected=f"{wanted} raised", trace=trace, hint=hint, output=outcome.output)
    if outcome.status != "raised" or not _is_ftp_error(outcome.exception):
        _did_not_return(outcome, name, doing, expected=f"{wanted} raised", trace=trace, hint=hint)
    exc = outcome.exception
    code, text = _error_of(exc)
    if type(exc).__name__ != "FTPError" or code != error[0] or (text or "").strip() != error[1]:
        fail(f"{_lead(doing, name)} raised {type(exc).__name__}: {exc}",
             expected=f"{wanted}: the server's code (an int) and text, as FTPError(code, text)",
             got=f"{type(exc).__name__} with code={code!r}, text={text!r}", trace=trace, hint=hint,
             output=outcome.output)


def _check_login_case(login, case):
    name = _name(login)
    server = ftp_server() if case.replies is None else _fake_ftp(case.replies)
    with _recorded(server, case.chunk) as (address, proxy):
        outcome = _run(_login_then, login, address, case.user, case.password, case.after)
        trace = _trace(proxy)
    doing = f"while {case.story} (user {case.user!r}, password {case.password!r})"
    _bare_newline(proxy, _lead(doing, name), trace, outcome)
    if case.error:
        _expect_ftp_error(outcome, name, doing, case.error, case.hint, trace)
        return
    if outcome.status != "returned":
        _did_not_return(outcome, name, doing, expected=f"it returns {case.expected!r}", trace=trace, hint=case.hint)
    value, left, reply = outcome.value
    if not _same_reply(value, case.expected, exact=False):
        first_line_only = (isinstance(value, (tuple, list)) and len(value) == 2 and value[0] == case.expected[0]
                           and "\n" in case.expected[1] and isinstance(value[1], str)
                           and value[1] == case.expected[1].split("\n", 1)[0])
        fail(f"{_lead(doing, name)} returned {_shown(value)}" + (
            ": the first line of a multi-line reply only." if first_line_only else "."),
            expected=f"{case.expected!r}, the server's final reply", trace=trace, output=outcome.output,
            hint="read every reply with your read_reply(reader), which reads a multi-line reply to its last line; "
                 "one readline() is one line, not one reply" if first_line_only else case.hint)
    after = case.after.decode().strip()
    if reply is None:
        fail(f"{_lead(doing, name)} returned, but then the control connection was closed: the check could not "
             f"send {after} and read its reply.", trace=trace, output=outcome.output,
             hint="leave the control connection open: the session goes on after logging in")
    if left or reply.code != case.after_code:
        fail(f"{_lead(doing, name)} returned, but the replies are out of step: the check then sent {after} and read "
             f"{', '.join(str(r) for r in left + [reply])!r}.",
             expected=f"the reply to {after} ({case.after_code}), nothing left over from the login",
             trace=trace, hint=HINT_STEP, output=outcome.output)


@check
def check_login(login):
    """login logs in with USER and PASS, and raises FTPError(530, ...) for a wrong password."""
    for case in LOGIN_CASES:
        _check_login_case(login, case)


# ---------------------------------------------------------------------------------------
# Exercise 3: parse_pasv


def _real_pasv_text():
    """The text of a 227 reply from a live pyftpdlib server."""
    with ftp_server() as site, socket.create_connection(site.address, timeout=SOCKET_TIMEOUT) as sock, \
            sock.makefile("rb") as reader:
        _reference_login(sock, reader)
        sock.sendall(b"PASV\r\n")
        reply = _reference_reply(reader)
        sock.sendall(b"QUIT\r\n")
        _reference_reply(reader)
    if reply.code != 227:
        raise PeerError(f"the FTP server answered PASV with {reply}")
    return reply.text


PASV_CASES = [
    "Entering passive mode (127,0,0,1,195,80).",
    "Entering Passive Mode (192,168,1,20,4,1)",
    None,                                           # a real server's reply, fetched at check time
    "Entering Passive Mode (127,0,0,1,195)",
]


_SIX_NUMBERS = re.compile(r"\d+(?:\s*,\s*\d+){5}")   # where a 227 text's address is (for hints only)
HINT_SIX = ("only six numbers separated by commas, h1,h2,h3,h4,p1,p2, are the address; other numbers in the "
            "text (here {others}) are not part of it, so find the comma-separated six (a regular expression "
            "such as (\\d+),(\\d+),... does) rather than taking any six numbers")


def _pasv_hint(text, value):
    """The likely mistake behind a wrong (host, port), as a hint (``text`` is a well-formed 227 text)."""
    host, port_ = ftpproto.parse_pasv(text)
    p1, p2 = divmod(port_, 256)
    port = value[1] if isinstance(value, (tuple, list)) and len(value) == 2 else None
    known = {p1 + p2: "it looks like you added the two port bytes (p1 + p2)",
             p1 * 255 + p2: "it looks like you multiplied by 255 (a byte holds 256 values, 0-255)",
             p2 * 256 + p1: "it looks like you took the low byte first",
             p1 << (8 + p2): "it looks like you wrote p1 << 8 + p2, which Python reads as p1 << (8 + p2): + binds "
                             "tighter than <<; write (p1 << 8) + p2"}
    mistake = known.get(port) if port != port_ else None
    if isinstance(port, str):
        mistake = "the port is a str: make it an int"
    address = _SIX_NUMBERS.search(text)
    others = re.findall(r"\d+", text[:address.start()] + " " + text[address.end():])
    if mistake is None and others and isinstance(value, (tuple, list)) and tuple(value) != (host, port_):
        return HINT_SIX.format(others=", ".join(others))
    return f"{mistake}. {HINT_PASV}" if mistake else HINT_PASV


def _malformed_hint(text):
    """Why a text names no address, as a hint."""
    hint = ("a 227 text without six comma-separated numbers h1,h2,h3,h4,p1,p2, or with one over 255 "
            "(each is one byte), names no address: raise ValueError")
    if len(re.findall(r"\d+", text)) >= 6 and not _SIX_NUMBERS.search(text):
        hint = "this text has six numbers, but not separated by commas; " + hint
    return hint


def _check_pasv_text(parse_pasv, text):
    name = _name(parse_pasv)
    try:
        expected = ftpproto.parse_pasv(text)
    except ValueError:
        expected = None
    outcome = _run(parse_pasv, text)
    doing = f"for {text!r}"
    if expected is None:
        if outcome.status == "raised" and isinstance(outcome.exception, ValueError):
            return
        hint = _malformed_hint(text)
        if outcome.status == "returned":
            fail(f"{name}({text!r}) returned {outcome.value!r}; that text is malformed.",
                 expected="ValueError raised", hint=hint, output=outcome.output)
        _did_not_return(outcome, name, doing, expected="ValueError raised", hint=hint)
    if outcome.status != "returned":
        _did_not_return(outcome, name, doing, expected=repr(expected),
                        hint="the six numbers are usually in parentheses, but RFC 959 does not require them: "
                             "find them wherever they are in the text")
    value = outcome.value
    if not (isinstance(value, (tuple, list)) and len(value) == 2 and value[0] == expected[0]
            and type(value[1]) is int and value[1] == expected[1]):
        fail(f"{name}({text!r}) returned {value!r}.", expected=repr(expected), got=repr(value),
             hint=_pasv_hint(text, value), output=outcome.output)


@check
def check_parse_pasv(parse_pasv):
    """parse_pasv reads host and port from 227 texts, a real server's included, and rejects a short one."""
    for text in PASV_CASES:
        _check_pasv_text(parse_pasv, _real_pasv_text() if text is None else text)


# ---------------------------------------------------------------------------------------
# Exercises 4 and 5: download and upload


def _crlf(data):
    """What pyftpdlib sends for ``data`` in ASCII type: every bare LF becomes CRLF."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


# How a transfer went wrong -> (what the download returned, what the server stored, hint)
DIFFERENCES = {
    "short": ("returned only the first {got:,} of the file's {size:,} bytes",
              "stored only the first {got:,} of the {size:,} bytes uploaded",
              {"down": HINT_DATA_EOF,
               "up": "send all of the data: sock.sendall(data), or loop over send() until every byte has gone"}),
    "line ends": ("returned the file with its line ends rewritten ({got:,} bytes, the file has {size:,})",
                  "stored the file with its line ends rewritten ({got:,} bytes, {size:,} were uploaded)",
                  {"down": HINT_BINARY, "up": HINT_BINARY}),
    "different": ("returned {got:,} bytes that differ from the file's {size:,}",
                  "stored {got:,} bytes that differ from the {size:,} uploaded",
                  {"down": HINT_BINARY, "up": HINT_BINARY}),
}


def _difference(expected, got, direction):
    """None if ``got == expected``, else (kind, details): how a transfer changed the bytes."""
    if got == expected:
        return None
    at = first_difference(expected, got)
    details = f"first difference at offset {at:,}: expected {expected[at:at + 12]!r}, got {got[at:at + 12]!r}"
    if len(got) < len(expected) and expected.startswith(got):
        return "short", details
    if got == (_crlf(expected) if direction == "down" else expected.replace(b"\r\n", b"\n")):
        return "line ends", details
    return "different", details


def _judge_bytes(lead, expected, got, direction, trace, output):
    """Fail if a transfer's bytes are not ``expected`` (what a download returned, what the server stored)."""
    if direction == "down" and not isinstance(got, (bytes, bytearray)):
        fail(f"{lead} returned a {type(got).__name__}, not bytes.", got=repr(got)[:100], trace=trace,
             hint="a file is bytes: join what recv() returns and return it as it is, without decoding",
             output=output)
    found = _difference(expected, bytes(got), direction)
    if found:
        kind, details = found
        down, up, hints = DIFFERENCES[kind]
        phrase = (down if direction == "down" else up).format(got=len(got), size=len(expected))
        fail(f"{lead} {phrase}.\n  {details}", trace=trace, hint=hints[direction], output=output)


HINT_OUT_OF_STEP = ("every command gets one reply, and a transfer gets two (150 or 125, then 226); if your code "
                    "read a reply that belongs to an earlier command, the trace shows which one was left unread")


HINT_PIECES = ("'One recv is not one reply': the check delivered the replies in random pieces, as TCP may; "
               "read every reply with your read_reply(reader), never with one sock.recv()")


def _transfer_returned(outcome, name, doing, trace, stuck_hint, note=None, *, replies=(), pieces=False,
                       aborted=None):
    """Fail unless the session returned; the hint depends on how it did not.

    ``replies`` are what the server sent on the control connection; ``pieces``: they came in
    random pieces; ``aborted``: (note, hint) for a 426, the server's "the data connection
    closed too early".
    """
    if outcome.status == "returned":
        return
    hint = stuck_hint if outcome.status == "timeout" else HINT_OUT_OF_STEP
    if outcome.status == "raised" and _is_ftp_error(outcome.exception):
        code = _error_of(outcome.exception)[0]
        if code == 426 and aborted:
            note, hint = aborted
        elif code in (110, 120, 125, 150):
            hint = (f"{code} is not a refusal: a 1xx reply says 'going ahead, another reply follows'. After RETR "
                    "or STOR, 125 (the data connection is already open) and 150 (opening it) both mean the "
                    "transfer starts; only 4xx and 5xx say no")
        elif code in {reply.code for reply in replies}:
            hint = ("the server said no; the trace shows to which command. Send TYPE I, then PASV, connect to "
                    "the address it names, then RETR or STOR, reading the reply to each")
    if pieces and (hint == HINT_OUT_OF_STEP or (outcome.status == "timeout" and note is None)):
        hint = f"{hint}. {HINT_PIECES}"
    _did_not_return(outcome, name, doing, note, trace=trace, hint=hint)


def _session(action, address, *, student):
    """In the child: log in with the reference code, run ``action(sock, reader)``, then wind up.

    ``student`` is the student's function that ``action`` calls: passed so that the runner's
    ``forbid=`` finds (and guards) the globals it uses. Returns (value, wind-up).
    """
    sock, reader = _connect(address)
    with sock, reader:
        _reference_login(sock, reader)
        value = action(sock, reader)
        return value, _wind_up(sock, reader)


def _wind_up(sock, reader):
    """NOOP, then QUIT, reading every reply until the server closes: (replies, how it ended).

    A transfer still in progress when the function returned ends first (RFC 959: QUIT waits
    for it), so its 226 shows up here, and the server's file is complete afterwards. It ends
    "done" (the server said 221 to QUIT, or closed), "hung" (no 221 in time: a data connection
    left open) or "closed" (the student's code had closed the control connection). The server
    may send a transfer's 226 after NOOP's 200 and even after the 221 (it handles the closed
    data connection when it gets to it), so replies are read on until the server closes; but a
    child that inherited the server's end of the connection (a lockstep proxy connects before
    the fork) holds it open, so after the 221 a quiet AFTER_QUIT seconds also ends it.
    """
    replies = []
    try:
        sock.settimeout(WIND_UP_TIMEOUT)
        sock.sendall(b"NOOP\r\n")
    except OSError:
        return replies, "closed"
    try:
        while not replies or replies[-1].code in TRANSFER_REPLIES:
            replies.append(_reference_reply(reader))
        sock.sendall(b"QUIT\r\n")
        while replies[-1].code != 221:
            replies.append(_reference_reply(reader))
    except (PeerError, ValueError):
        return replies, "done" if replies else "closed"   # the server closed: everything is in
    except OSError:
        return replies, "hung"
    try:
        sock.settimeout(AFTER_QUIT)
        while True:
            replies.append(_reference_reply(reader))
    except (PeerError, ValueError, OSError):   # closed, or quiet: a late 226 would have come by now
        return replies, "done"


def _left_over(lead, wind_up, trace, output):
    """Fail if the function left a reply unread, or left the server waiting."""
    replies, ending = wind_up
    if ending == "closed":
        fail(f"{lead} returned, but the control connection was closed: the check could not send NOOP after it.",
             trace=trace, output=output,
             hint="close only the data connection; the control connection stays open for the next command")
    unread = [r for r in replies if r.code in TRANSFER_REPLIES]
    if unread:
        fail(f"{lead} returned, but left {str(unread[0])!r} unread: the check read it after sending NOOP.",
             expected="your function reads the 226, so NOOP's reply (200) comes next", trace=trace,
             hint=HINT_226, output=output)
    if ending == "hung":
        fail(f"{lead} returned, but the server was still waiting for the transfer to end.", trace=trace,
             hint=HINT_CLOSE, output=output)
    if [r.code for r in replies] != [200, 221]:
        fail(f"{lead} returned, but the control connection is out of step: the check then sent NOOP and QUIT "
             f"and read {', '.join(repr(str(r)) for r in replies)}.", expected="200 for NOOP, 221 for QUIT",
             trace=trace, hint=HINT_OUT_OF_STEP, output=output)


def _refused(transfer, first, then=None):
    """An action: ``first`` must raise an FTPError-like error; ``then`` runs after it on the same connection."""

    def action(sock, reader):
        try:
            value = first(transfer, sock, reader)
        except Exception as exc:  # noqa: BLE001  (judged in the parent)
            if not _is_ftp_error(exc):
                raise
            return "raised", type(exc).__name__, _error_of(exc), then(transfer, sock, reader) if then else None
        return "returned", value

    return action


def _judge_refused(outcome, name, doing, trace, expected_code):
    """The refused transfer raised FTPError(expected_code, ...); returns what ``then`` returned."""
    expected = f"FTPError({expected_code}, ...) raised, with the server's code and text"
    if outcome.status != "returned":
        _did_not_return(outcome, name, doing, expected=expected, trace=trace, hint=HINT_REFUSED)
    value, wind_up = outcome.value
    lead = _lead(doing, name)
    if value[0] == "returned":
        got = show_bytes(value[1]) if isinstance(value[1], (bytes, bytearray)) else repr(value[1])
        fail(f"{lead} returned {got}, but the server said no.", expected=expected, trace=trace,
             hint=HINT_REFUSED, output=outcome.output)
    _, type_name, (code, text), after = value
    if type_name != "FTPError" or code != expected_code:
        fail(f"{lead} raised {type_name} with code={code!r}, text={text!r}.", expected=expected, trace=trace,
             hint="raise FTPError(code, text) with the server's reply, the code as an int", output=outcome.output)
    _left_over(lead + " raised as it should and", wind_up, trace, outcome.output)
    fail_unclosed(outcome, f"{lead} raised FTPError as it should", "its data connection (the server refused the "
                  "transfer, but the data connection was open: close it before you raise, or let a with-block do it)",
                  trace=trace)
    return after


# A tight data connection (``tight=True``): set on pyftpdlib's passive listener, so that the data
# connection inherits them, and the MSS it announces in its SYN-ACK also bounds the student's
# socket (Linux sizes a send buffer by the MSS). Then at most about 250 KB of a download fit in
# the buffers before the client reads, and one send() takes about 80 KB of an upload.
TIGHT_SOCKET_OPTIONS = (
    (socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1460),
    (socket.SOL_SOCKET, socket.SO_SNDBUF, 65536),
    (socket.SOL_SOCKET, socket.SO_RCVBUF, 65536),
)
NOTE_NO_226 = ("The server had not sent its 226: it sends it only once the whole file has gone out on the "
               "data connection, and the file goes out only as fast as the client reads it (the socket "
               "buffers hold a small part of it).")
HINT_DATA_FIRST = ("read the data connection until EOF first (recv() returns b''), then the 226 on the control "
                   "connection: a server that waits for its client to read cannot send the 226 before")
NOTE_426 = ("426 means that the server aborted the transfer: the data connection closed before the whole "
            "file had gone through.")


class _TightPassiveDTP(FTPHandler.passive_dtp):
    """pyftpdlib's passive data listener, with ``TIGHT_SOCKET_OPTIONS`` set before it listens."""

    def listen(self, num):
        for level, option, value in TIGHT_SOCKET_OPTIONS:
            with contextlib.suppress(OSError):  # a system without one only makes the check less strict
                self.socket.setsockopt(level, option, value)
        super().listen(num)


class _TightFTPServer(FTPServer):
    """``ftp_server`` whose data connections use ``_TightPassiveDTP``."""

    def start(self):
        site = super().start()
        self._server.handler.passive_dtp = _TightPassiveDTP  # this server's own handler class
        return site


def _ftp_server(files, tight=False):
    return (_TightFTPServer if tight else FTPServer)(files=files)


def _transfer_unfinished(replies):
    """True if the last transfer the server started had not ended when the code was stopped.

    A 426 after it does not count: the server's answer to the data connection closing when the
    child process running the code was ended at its deadline.
    """
    started = [index for index, reply in enumerate(replies) if reply.code in (125, 150)]
    return bool(started) and all(reply.code == 426 for reply in replies[started[-1] + 1:])


def _download_all(names):
    return lambda download, sock, reader: [download(sock, reader, name) for name in names]


def _check_downloads(download, names, chunk=None, tight=False, lockstep=False):
    name = _name(download)
    with _recorded(_ftp_server(FILES, tight), chunk, lockstep=lockstep) as (address, proxy):
        outcome = _run(_session, functools.partial(_download_all(names), download), address, student=download,
                       deadline=TRANSFER_DEADLINE)
        trace, replies = _trace(proxy), _server_replies(proxy)
    doing = "while downloading " + ", then ".join(f"{n!r} ({len(FILES[n]):,} bytes)" for n in names) + (
        " (replies in random pieces)" if chunk else "")
    stuck_hint, note = (f"{HINT_DATA_EOF}. If it is stuck reading a reply, that reply may never come: the trace "
                        "shows what the server did send"), None
    _bare_newline(proxy, _lead(doing, name), trace, outcome)
    if outcome.status == "timeout" and _transfer_unfinished(replies):
        note, stuck_hint = NOTE_NO_226, HINT_DATA_FIRST
    _transfer_returned(outcome, name, doing, trace, stuck_hint, note, replies=replies, pieces=bool(chunk),
                       aborted=(NOTE_426, HINT_DATA_EOF))
    values, wind_up = outcome.value
    for file, value in zip(names, values):
        _judge_bytes(_lead(f"while downloading {file!r}", name), FILES[file], value, "down", trace, outcome.output)
    _left_over(_lead(doing, name), wind_up, trace, outcome.output)
    fail_unclosed(outcome, _lead(doing, name) + " returned", "its data connection", trace=trace)


def _check_missing(download, then=None):
    name = _name(download)
    first = lambda d, sock, reader: d(sock, reader, "missing.bin")  # noqa: E731
    after = (lambda d, sock, reader: d(sock, reader, then)) if then else None  # noqa: E731
    with _recorded(ftp_server(files=FILES)) as (address, proxy):
        outcome = _run(_session, _refused(download, first, after), address, student=download,
                       deadline=TRANSFER_DEADLINE)
        trace = _trace(proxy)
    doing = "while downloading 'missing.bin', a file the server does not have"
    got = _judge_refused(outcome, name, doing, trace, 550)
    if then:
        _judge_bytes(_lead(f"after the refused download, while downloading {then!r}", name), FILES[then], got,
                     "down", trace, outcome.output)


@check
def check_download(download):
    """download fetches 1 MiB of random bytes exactly, reads the 226, raises FTPError for a missing file, and
    closes its data connection itself (a socket left to the garbage collector fails).

    The replies come in seeded random pieces, each sent once the code has read the one before
    (a lockstep proxy): each recv() sees one piece, the same pieces and the same message on every run.
    """
    _check_downloads(download, ["random.bin"], chunk="random", lockstep=True)
    _check_missing(download)


def _check_uploads(upload, items, chunk=None, tight=False):
    name = _name(upload)
    doing = "while uploading " + ", then ".join(f"{file!r} ({len(data):,} bytes)" for file, data in items) + (
        " (replies in random pieces)" if chunk else "")

    def action(sock, reader):
        for file, data in items:
            upload(sock, reader, file, data)

    with _recorded(server := _ftp_server(None, tight), chunk) as (address, proxy):
        outcome = _run(_session, action, address, student=upload, deadline=TRANSFER_DEADLINE)
        trace, replies = _trace(proxy), _server_replies(proxy)
        root = server.site.root
        held = [f"{(root / file).stat().st_size:,} of the {len(data):,} bytes of {file!r}"
                for file, data in items if (root / file).exists()]
        note = (f"The server received {', '.join(held)}, but it sends its 226 only after the data connection "
                "has closed." if held and outcome.status == "timeout" else None)
        _bare_newline(proxy, _lead(doing, name), trace, outcome)
        _transfer_returned(outcome, name, doing, trace, HINT_CLOSE, note, replies=replies, pieces=bool(chunk))
        _, wind_up = outcome.value
        for file, data in items:
            lead = _lead(f"while uploading {file!r}", name)
            if not (root / file).exists():
                fail(f"{lead} returned, but the server has no file {file!r}.", trace=trace, output=outcome.output,
                     hint="send STOR <name> on the control connection, then the bytes on the data connection")
            _judge_bytes(f"{lead} returned, but the server", data, (root / file).read_bytes(), "up", trace,
                         outcome.output)
        _left_over(_lead(doing, name), wind_up, trace, outcome.output)
        fail_unclosed(outcome, _lead(doing, name) + " returned", "its data connection", trace=trace)


@check
def check_upload(upload):
    """upload stores 1 MiB of random bytes; the file in the server's root must match byte for byte; the data
    connection is closed by the code, not by the garbage collector."""
    _check_uploads(upload, [("upload.bin", SAMPLE)])


# ---------------------------------------------------------------------------------------
# Exercise 6: what applications need from transport


TRANSPORT_WORDS = {
    "data loss": ("no loss", "loss-tolerant"),
    "bandwidth": ("elastic", "needs a minimum"),
    "time sensitivity": ("no", "100s of ms", "a few seconds", "yes and no"),
}
COLUMNS = list(TRANSPORT_WORDS)

# The lecture's table, and for each row why (the hint a wrong row gets).
TRANSPORT_TABLE = {
    "file transfer": (("no loss", "elastic", "no"),
                      "one wrong byte spoils a file, but a slower transfer only takes longer"),
    "e-mail": (("no loss", "elastic", "no"),
               "a message must arrive whole; nobody notices if it takes a second more"),
    "web documents": (("no loss", "elastic", "no"),
                      "a page must arrive whole; it loads on whatever bandwidth there is"),
    "real-time audio/video": (("loss-tolerant", "needs a minimum", "100s of ms"),
                              "a call can hide a lost sample but not a late one, and its codec needs its "
                              "bitrate all the time (5 kbps-1 Mbps audio, 10 kbps-5 Mbps video)"),
    "stored audio/video": (("loss-tolerant", "needs a minimum", "a few seconds"),
                           "like live media, but the player buffers ahead, so a few seconds of delay is fine"),
    "interactive games": (("loss-tolerant", "needs a minimum", "100s of ms"),
                          "a late game update is useless, a lost one is soon replaced; a few kbps, but steadily"),
    "financial apps": (("no loss", "elastic", "yes and no"),
                       "no transaction may be lost; some (trading) are urgent, others (a bank transfer) not"),
}
VISIBLE_ROWS = ("file transfer", "e-mail", "web documents")
HINT_TABLE = "the table 'What applications need from transport' in the notebook (lecture part 1)"


def _check_table(transport_needs, rows):
    name = _name(transport_needs)
    outcome = _run(transport_needs)
    if outcome.status != "returned":
        _did_not_return(outcome, name, "", hint=HINT_TABLE)
    table = outcome.value
    if not isinstance(table, dict):
        fail(f"{name}() returned a {type(table).__name__}; expected a dict {{application: (loss, bandwidth, "
             f"time sensitivity)}}.", got=repr(table)[:200], hint=HINT_TABLE)
    missing = [app for app in TRANSPORT_TABLE if app not in table]
    extra = [app for app in table if app not in TRANSPORT_TABLE]
    if missing or extra:
        fail(f"{name}() has the wrong rows." + (f"\n  missing: {', '.join(map(repr, missing))}" if missing else "")
             + (f"\n  not in the lecture's table: {', '.join(map(repr, extra))}" if extra else ""),
             expected=", ".join(map(repr, TRANSPORT_TABLE)), hint=HINT_TABLE)
    for app, value in table.items():
        if not isinstance(value, (tuple, list)) or len(value) != 3:
            fail(f"{name}()[{app!r}] is {value!r}; expected a tuple of three words "
                 f"({', '.join(COLUMNS)}).", hint=HINT_TABLE)
        for column, word in zip(COLUMNS, value):
            if word not in TRANSPORT_WORDS[column]:
                fail(f"{name}()[{app!r}] has {word!r} for {column}.",
                     expected=f"one of {', '.join(map(repr, TRANSPORT_WORDS[column]))}",
                     hint="use the constants given above the function")
    for app in rows:
        answer, why = TRANSPORT_TABLE[app]
        wrong = [column for column, word, right in zip(COLUMNS, table[app], answer) if word != right]
        if wrong:
            fail(f"{name}()[{app!r}] = {tuple(table[app])!r}: the {' and the '.join(wrong)} "
                 f"{'is' if len(wrong) == 1 else 'are'} not what the lecture's table says.",
                 hint=f"{why}; see {HINT_TABLE}")


@check
def check_transport_needs(transport_needs):
    """transport_needs() has every row with words from the lists, and the rows of the no-loss applications."""
    _check_table(transport_needs, VISIBLE_ROWS)


