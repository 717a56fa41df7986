"""Hidden checks for notebook 06 (I/O multiplexing with select()): what ``check_x_hidden`` adds.

Instructor only (see ``netkit/hidden/__init__.py``). The hidden server checks also forbid
threads, processes and asyncio, by reading the names the student's code uses and by
running the child with ``forbid=FORBID``; their extra cases (``_lines_hidden_cases``,
``_PURE_HIDDEN_CASES``, ``_pure_hidden_cases``, ``_web_hidden_cases``) are handed to the
visible module's drivers.
"""

import random

from ..checks._base import check, fail, show_bytes
from ..checks.select import (
    FORBID, PROMPT, _HINT_BY_CALL, _SECRET, _SIBLING, _SIBLING_SECRET, _call_pure, _curl, _epoll_check,
    _expect_closed, _expect_lines, _expect_responses, _judge, _need_function, _refuse_spawners, _request,
    _run_lines, _run_ports, _run_pure, _web, _web_scenario,
)

__all__ = [
    "check_serve_ports_hidden",
    "check_serve_lines_hidden",
    "check_http_response_hidden",
    "check_serve_files_hidden",
    "check_serve_files_epoll_hidden",
]


_SMALL_RCVBUF = 4096  # a slow client's receive buffer: a big reply cannot hide in it


@check
def check_serve_ports_hidden(serve_ports):
    """Five ports, three clients, a seeded burst of 40 datagrams, an empty one, a 1024-byte one; no threads."""
    _need_function(serve_ports, "serve_ports")
    _refuse_spawners(serve_ports, "serve_ports")
    names = ["A", "B", "C", "D", "E"]
    rng = random.Random(6)
    burst = [(rng.randrange(3), rng.choice(names), b"%02d " % i + rng.randbytes(rng.randrange(1, 60)))
             for i in range(40)]
    _run_ports(serve_ports, names, [
        [(1, "E", b"")],
        [(2, "C", bytes(range(256)) * 4)],
        burst,
        [(0, "A", b"after the burst"), (1, "D", b"still there?")],
    ], forbid=FORBID)


def _lines_hidden_cases(server, crowd):
    many = crowd.join("a client that sent three lines in one send()", send=b"one\ntwo\nthree\n")
    mixed = b"\n\x00\xff\r\nline\rfeed\x0bvertical\x0cform\x1cfile\x85next\n"  # only b"\n" ends a line
    odd = crowd.join("a client that sent an empty line, binary bytes and control characters", send=mixed)
    split = crowd.join("a client whose second line ended in a later send()", send=b"four\nfi")
    _expect_lines(server, crowd, [many, odd, split],
                  {many: b"one\ntwo\nthree\n", odd: mixed, split: b"four\n"},
                  "(several lines in one piece)")
    crowd.send(split, b"ve\n")
    _expect_lines(server, crowd, [split], {split: b"four\nfive\n"}, "(the rest of a line in a second send())")

    dribblers = [crowd.join(f"byte-at-a-time client {i}") for i in range(3)]
    text = b"one byte at a time\n"
    for index in range(len(text)):
        for peer in dribblers:
            crowd.send(peer, text[index:index + 1])
        crowd.pump(lambda: all(p.flushed_at for p in dribblers), 0.05, server)
    _expect_lines(server, crowd, dribblers, dict.fromkeys(dribblers, text), "(lines sent one byte at a time)")

    quitters = [crowd.join(f"client {i} that sent a line and reset at once", send=b"bye\n") for i in range(4)]
    early = [crowd.join(f"client {i} that reset before sending anything") for i in range(3)]
    crowd.pump(lambda: all(p.flushed_at for p in quitters), 0.2, server)
    for peer in quitters + early:
        crowd.reset(peer)
    after = crowd.join("a client that came after the resets", send=b"still serving?\n")
    _expect_lines(server, crowd, [after], {after: b"still serving?\n"},
                  "(after 7 clients had reset their connections, some before their echo was sent)")

    for batch in range(4):
        short = {}
        for i in range(15):
            line = b"quick %d\n" % (batch * 15 + i)
            short[crowd.join(f"short-lived client {batch * 15 + i}", send=line)] = line
        _expect_lines(server, crowd, list(short), short, f"(short connection batch {batch + 1} of 4)")
        for peer in short:
            crowd.half_close(peer)
        _expect_closed(server, crowd, list(short), f"(short connection batch {batch + 1} of 4)")
        for peer in short:
            crowd.close(peer)


@check
def check_serve_lines_hidden(serve_lines):
    """Several lines in one send, a line in two sends, byte-at-a-time clients, resets before and after a
    line, 60 short connections; no threads, processes or asyncio."""
    _need_function(serve_lines, "serve_lines")
    _refuse_spawners(serve_lines, "serve_lines")
    _run_lines(serve_lines, clients=50, hidden=True, more=_lines_hidden_cases)


_CURL_HEADERS = b"Host: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"


_PURE_HIDDEN_CASES = [("GET", "/menu.txt"), ("HEAD", "/menu.txt"), ("GET", "/empty.txt"), ("GET", "/docs/notes.txt"),
                      ("HEAD", "/missing.txt"), ("GET", "/docs"), ("GET", "/docs/"), ("GET", "/index.html")]


def _status_of(response):
    parts = response.partition(b"\r\n")[0].split()
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None


def _pure_hidden_cases(http_response, folder):
    request = _request("GET", "/hello.txt", _CURL_HEADERS).replace(b"HTTP/1.0", b"HTTP/1.1", 1)
    response = _call_pure(http_response, request, folder)
    wrong = _judge(response, "GET", "/hello.txt")
    if wrong:
        fail("http_response answered an HTTP/1.1 request with headers (as curl sends it) wrongly.", sent=request,
             expected=wrong[1], got=wrong[0],
             hint="the request line is the first line; the header lines after it can be ignored, and the "
                  "answer is HTTP/1.0 whatever version the client speaks.")
    request = _request("GET", "/../secret.txt")
    response = _call_pure(http_response, request, folder)
    if _SECRET in response or _status_of(response) == 200:
        fail("http_response served a file from outside the folder: GET /../secret.txt gave the secret away.",
             sent=request, expected="404 Not Found (or 403 Forbidden)", got=response,
             hint="resolve the path and check that it is inside the folder, e.g. with pathlib: "
                  "(root / name).resolve().is_relative_to(root.resolve()).")
    request = _request("GET", f"/../{_SIBLING}")
    response = _call_pure(http_response, request, folder)
    if _SIBLING_SECRET in response or _status_of(response) == 200:
        fail(f"http_response served a file from outside the folder: GET /../{_SIBLING} is in a sibling folder "
             "whose name begins with the folder's (site-private beside site).",
             sent=request, expected="404 Not Found (or 403 Forbidden)", got=response,
             hint="a string prefix is not a folder: '/srv/site-private/secret.txt'.startswith('/srv/site') is "
                  "True. Compare whole path components: Path(path).is_relative_to(root), or "
                  "os.path.commonpath([root, path]) == root.")
    for request, what in ((_request("DELETE", "/hello.txt"), "a method other than GET and HEAD"),
                          (b"nonsense\r\n\r\n", "a request line that is not METHOD PATH VERSION")):
        response = _call_pure(http_response, request, folder)
        status = _status_of(response)
        if status is None or not 400 <= status < 600:
            fail(f"http_response answered {what} with {show_bytes(response, 40)}.", sent=request,
                 expected="an error status: 400 Bad Request, 405 Method Not Allowed or 501 Not Implemented",
                 got=response, hint="look at the request line before you look for a file; answer what you "
                                    "cannot serve with a 4xx or 5xx status.")


@check
def check_http_response_hidden(http_response):
    """UTF-8 text, an empty file, a sub-folder, HEAD of a missing file, a folder's name, curl's headers,
    ../ out of the folder, another method and a malformed request line."""
    _run_pure(http_response, _PURE_HIDDEN_CASES, _pure_hidden_cases)


def _web_hidden_cases(server, crowd, address):
    slow = crowd.join("a slow client downloading big.bin (1 MiB) that did not read yet",
                      send=_request("GET", "/big.bin"), rcvbuf=_SMALL_RCVBUF, reading=False)
    quitter = crowd.join("a client that reset in the middle of its download", send=_request("GET", "/big.bin"),
                         rcvbuf=_SMALL_RCVBUF)
    server.doing = "(while a slow client did not read its 1 MiB download)"
    crowd.pump(lambda: slow.flushed_at and len(quitter.received) > 10_000, PROMPT, server)
    if not server.alive:
        server.fail("Your server stopped.")
    if len(quitter.received) <= 10_000:
        server.fail(f"A client downloading big.bin got {len(quitter.received)} bytes in {PROMPT:.0f} s, while "
                    "another client did not read its own download of big.bin (1 MiB).",
                    sent=bytes(quitter.sent), expected="the download going on at full speed",
                    got=f"{len(quitter.received)} bytes", stuck=True, hint=_HINT_BY_CALL["send"])
    crowd.reset(quitter)
    setting = "(while a slow client did not read its 1 MiB download, and another had reset in mid-download)"
    jobs = {crowd.join(f"client {i:02d}", send=_request("GET", "/hello.txt")): ("GET", "/hello.txt")
            for i in range(10)}
    _expect_responses(server, crowd, jobs, setting)
    _curl(server, address, ["hello.txt", "data.bin", "index.html", "menu.txt"] * 5, setting)

    dribbler = crowd.join("a client that sent its request one byte at a time")
    request = _request("GET", "/index.html", b"Host: localhost\r\n")
    for index in range(len(request)):
        crowd.send(dribbler, request[index:index + 1])
        crowd.pump(lambda: dribbler.flushed_at, 0.05, server)
    crowd.close(crowd.join("a client that closed without sending a request"))
    _expect_responses(server, crowd, {dribbler: ("GET", "/index.html")}, "(a request sent one byte at a time)")

    crowd.read(slow)
    _expect_responses(server, crowd, {slow: ("GET", "/big.bin")}, "(the slow client, once it began to read)",
                      seconds=3 * PROMPT)

    for batch in range(4):
        short = {crowd.join(f"short-lived client {batch * 15 + i}", send=_request("GET", "/hello.txt")):
                 ("GET", "/hello.txt") for i in range(15)}
        _expect_responses(server, crowd, short, f"(short connection batch {batch + 1} of 4; the earlier ones closed)")
        for peer in short:
            crowd.close(peer)

    quitter = crowd.join("the client that sent half a request, then closed its side", send=b"GET /index.ht")
    crowd.pump(lambda: quitter.flushed_at, 0.2, server)
    crowd.half_close(quitter)
    _expect_closed(server, crowd, [quitter], "(a client closed its side before its request was complete)")


@check
def check_serve_files_hidden(serve_files):
    """A slow client that does not read a 1 MiB download blocks nobody, a reset in mid-download, 20 curl
    downloads at once, a request one byte at a time, 60 short connections; no threads."""
    with _web(serve_files, hidden=True, name="serve_files") as (server, address):
        _web_scenario(server, address, more=_web_hidden_cases)


@check
def check_serve_files_epoll_hidden(serve_files_epoll):
    """The hidden web cases at descriptor 1500: a slow reader, a reset, curl in parallel, 60 short
    connections (a socket closed while still registered breaks a later one); no threads."""
    _epoll_check(serve_files_epoll, hidden=True, more=_web_hidden_cases)
