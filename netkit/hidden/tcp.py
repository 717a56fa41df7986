"""Hidden checks for notebook 04 (TCP server and client): what ``check_x_hidden`` adds to ``check_x``.

Instructor only (see ``netkit/hidden/__init__.py``). Each check reuses the visible
module's drivers (``_recv_exactly_case``, ``_reader_case``, ...) with harder peers.
"""

import contextlib
import random
import socket

from ..checks._base import check, fail
from ..checks.tcp import (
    CLIENT_WAIT, GAP, HINT_LISTEN, _Server, _ask_case, _check_no_http_library, _exception_line, _expect_echo,
    _http_live, _http_scripted, _no_leak, _printed, _reader_case, _recv_case, _recv_exactly_case, _restart,
    _send_case, _socket_fds,
)

__all__ = [
    "check_recv_exactly_hidden",
    "check_socket_reader_hidden",
    "check_messages_hidden",
    "check_echo_server_hidden",
    "check_http_get_hidden",
    "check_ask_hidden",
]


@check
def check_recv_exactly_hidden(recv_exactly):
    """n = 0, random piece sizes, 1 MiB, binary data, and a peer that closes at once."""
    _recv_exactly_case(recv_exactly, script=b"", n=0, expect=b"", how="(nothing; the peer keeps the connection open)")
    data = random.Random(4).randbytes(3000)
    _recv_exactly_case(recv_exactly, script=data, n=3000, expect=data, how="in random pieces of 1..64 bytes",
                       proxy={"chunk": "random", "seed": 4})
    big = random.Random(5).randbytes(1 << 20)
    _recv_exactly_case(recv_exactly, script=big, n=len(big), expect=big, how="as fast as the kernel allows")
    glued = b"\x00\r\n\x00\xff" * 4 + b"tail"
    _recv_exactly_case(recv_exactly, script=glued, n=20, expect=glued[:20], leftover=b"tail",
                       how="in one piece", glued=True)
    _recv_exactly_case(recv_exactly, script=b"", n=4, then="close", how="then the peer closed the connection")
    _recv_exactly_case(recv_exactly, script=[b"abc", b"def"], n=10, then="close",
                       how="in two pieces, then the peer closed the connection", lockstep=3)


@check
def check_socket_reader_hidden(SocketReader):  # noqa: N803
    """A split multi-byte delimiter, long lines, 1000 glued lines, n = 0, EOF at once and after use."""
    head = b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody"
    _reader_case(SocketReader, script=head, how="one byte at a time, then closed", lockstep=1,
                 calls=[("recv_until", (b"\r\n\r\n",), head[:-4]), ("recv_exactly", (0,), b""),
                        ("recv_to_eof", (), b"body")])
    line = random.Random(7).randbytes(200_000).replace(b"\n", b"") + b"\n"
    _reader_case(SocketReader, script=line + b"x||y||", how="as fast as the kernel allows, then closed",
                 calls=[("recv_until", (b"\n",), line), ("recv_until", (b"||",), b"x||"),
                        ("recv_until", (b"||",), b"y||"), ("recv_to_eof", (), b"")])
    lines = [b"line %d\n" % i for i in range(1000)]
    _reader_case(SocketReader, script=b"".join(lines), how="in one piece, then closed",
                 calls=[("recv_until", (b"\n",), item) for item in lines], glued=True)
    _reader_case(SocketReader, script=b"", how="(nothing), then closed", calls=[("recv_to_eof", (), b"")])
    _reader_case(SocketReader, script=b"ab\r", how="then closed", calls=[("recv_until", (b"\r\n",), None)])
    _reader_case(SocketReader, script=[b"12", b"34", b"5"], how="in pieces, then closed",
                 lockstep=2, calls=[("recv_exactly", (3,), b"123"), ("recv_exactly", (3,), None)])


@check
def check_messages_hidden(send_msg, recv_msg):
    """100 messages of random sizes in random pieces, prefix-like payloads, EOF in the prefix and the body."""
    rng = random.Random(32)
    many = [rng.randbytes(rng.choice([0, 1, 3, 4, 5, 255, 256, 1000])) for _ in range(100)]
    _send_case(send_msg, many[:40] + [b"\x00\x00\x00\x05", rng.randbytes(300_000)],
               how="send_msg 42 times on a socket that sends in parts")
    _recv_case(recv_msg, many, how="in random pieces", then="hold", proxy={"chunk": "random", "seed": 32})
    _recv_case(recv_msg, [b"\x00\x00\x00\x05", b"x" * 300], how="in one piece", then="hold", glued=True)
    _recv_case(recv_msg, [b"complete"], tail=b"\x00\x00", how="then 2 bytes of a prefix and the peer closed")
    _recv_case(recv_msg, [], tail=b"\x00\x00\x00\x0cshort", how="then the peer closed the connection")


@check
def check_echo_server_hidden(make_listener, serve_echo):
    """A silent client, two clients queued at once, 100 clients then no descriptor left open,
    1 MiB again, and two restarts."""
    with contextlib.ExitStack() as stack:
        server = _Server(make_listener, serve_echo, stack)
        base = _socket_fds(server.info["pid"])
        _expect_echo(server, b"", "a client that sends nothing")
        _queued_clients(server)
        for index in range(100):
            _expect_echo(server, b"ping %d\n" % index, f"client {index + 1} of 100")
        _no_leak(server, base, "100 clients")
        _expect_echo(server, random.Random(42).randbytes(1 << 20), "a client sending 1 MiB")
        again = _restart(make_listener, serve_echo, server, stack)
        _expect_echo(again, b"once\n", "a client of the restarted server")
        third = _restart(make_listener, serve_echo, again, stack)
        _expect_echo(third, b"twice\n", "a client of the server restarted twice")


def _queued_clients(server):
    """Two clients connect at once; the second waits in the listen() backlog until the first is done."""
    answers = []
    try:
        with socket.create_connection(server.address, timeout=CLIENT_WAIT) as first, \
                socket.create_connection(server.address, timeout=CLIENT_WAIT) as second:
            second.sendall(b"second\n")
            second.shutdown(socket.SHUT_WR)
            first.sendall(b"first\n")
            first.shutdown(socket.SHUT_WR)
            for sock in (first, second):
                data = b""
                with contextlib.suppress(OSError):
                    while chunk := sock.recv(1024):
                        data += chunk
                answers.append(data)
    except OSError as exc:
        why, outcome = server.fate()
        fail(f"Two clients connected at once, and one could not talk to your server: {_exception_line(exc)}.\n{why}",
             sent="client A: b'first\\n', client B: b'second\\n' (each then shutdown)",
             expected="b'first\\n' to A, b'second\\n' to B",
             hint="serve clients forever, one after another: accept, echo until EOF, close, accept the next. "
                  + HINT_LISTEN, output=_printed(outcome))
    if answers != [b"first\n", b"second\n"]:
        why, outcome = server.fate()
        fail("Two clients connected at once; the second had to wait in the listen() queue until the first was "
             f"served.\n{why}", sent="client A: b'first\\n', client B: b'second\\n' (each then shutdown)",
             expected="b'first\\n' to A, b'second\\n' to B", got=f"{answers[0]!r} to A, {answers[1]!r} to B",
             hint="serve one client to EOF, close it, then accept() the next: the kernel keeps waiting "
                  "clients in the listen() backlog.", output=_printed(outcome))


@check
def check_http_get_hidden(http_get):
    """No Content-Length (body to EOF), a head split byte by byte, 1 MiB, a body holding a blank line, 'localhost'."""
    _check_no_http_library(http_get)
    _http_scripted(http_get, [b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n", b"no length: ",
                              b"read until the server closes"], then="close",
                   how="without Content-Length, in three pieces, then closed")
    _http_scripted(http_get, b"HTTP/1.0 201 Created\r\nLocation:/x\r\nCONTENT-LENGTH: 5\r\n\r\nabcde",
                   then="hold", how="one byte at a time, upper-case header names", chunk=1, gap=GAP)
    tricky = b"head\r\n\r\nnot a header: still body\r\n\r\n" * 50
    files = {"big.bin": random.Random(52).randbytes(1 << 20), "tricky.txt": tricky}
    _http_live(http_get, files, "/big.bin", how="1 MiB as fast as the kernel allows")
    _http_live(http_get, files, "/tricky.txt", how="in random pieces", chunk="random", seed=52, host="localhost",
               lockstep=True)


@check
def check_ask_hidden(ask):
    """An empty request, a reply with pauses, 1 MiB of binary lines, 'localhost'."""
    _ask_case(ask, b"", how="(empty)")
    _ask_case(ask, b"fig\nkiwi\napple\n", how="in random pieces", chunk="random", seed=64, host="localhost",
              lockstep=True)
    _ask_case(ask, b"b\na\nc\n" * 100, how="in pieces of 7 bytes with pauses", chunk=7, gap=0.0005)
    data = random.Random(63).randbytes(1 << 20)
    _ask_case(ask, data, how="as fast as the kernel allows")
