"""The checks of notebook 6 (select) against right and wrong solutions.

Every right solution in tests/solutions/select/ passes every check, visible and hidden;
every wrong one fails with the message a student would read. The solutions are loaded
from their files by path: the folder is named ``select`` and must never be importable
as a package, or it would shadow the standard library's ``select``.
"""

import importlib.util
import select as stdlib_select
import socket
from pathlib import Path

import pytest

from netkit.checks import select as checks
from netkit.errors import CheckFailed
from netkit.hidden import select as hidden_checks
from netkit.runner import report_ready

HERE = Path(__file__).parent / "solutions" / "select"
FUNCTIONS = ["serve_ports", "serve_lines", "http_response", "serve_files", "serve_files_epoll"]


def load(name):
    spec = importlib.util.spec_from_file_location(f"select_solutions_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = load("right_selectors")


def solution(name, function):
    module = load(name)
    # A wrong web server gets a right http_response, so that only its own mistake shows.
    module.__dict__.setdefault("http_response", REFERENCE.http_response)
    return getattr(module, function)


def run_check(function, hidden, func):
    if hidden:
        getattr(hidden_checks, f"check_{function}_hidden")(func)
    else:
        getattr(checks, f"check_{function}")(func)


def failure(function, hidden, func):
    with pytest.raises(CheckFailed) as caught:
        run_check(function, hidden, func)
    return str(caught.value)


# ------------------------------------------------------------------ right solutions pass

RIGHT = [(name, function) for name in ("right_selectors", "right_select_poll") for function in FUNCTIONS]


@pytest.mark.parametrize("hidden", [False, True], ids=["visible", "hidden"])
@pytest.mark.parametrize(("name", "function"), RIGHT, ids=[f"{n}.{f}" for n, f in RIGHT])
def test_right_solutions_pass(name, function, hidden, capsys):
    run_check(function, hidden, solution(name, function))
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------ wrong solutions fail

# (file, function, which checks catch it, what the message must say)
WRONG = [
    ("wrong_ports_in_turn", "serve_ports", "both",
     ["sent a datagram to port B", "got no right reply within 1 s", "stuck in recvfrom()", "no reply",
      "Ask select() which sockets are readable"]),
    ("wrong_ports_one_socket", "serve_ports", "both",
     ["expected: b'B:hello, port B' (15 bytes) from port B", "got:      b'B:hello, port B' (15 bytes) from port A",
      "from the socket the request arrived on"]),
    ("wrong_ports_first_client", "serve_ports", "hidden",
     ["Client 3 sent a datagram to port C", "Its reply arrived at client 2 instead.", "from port C, at client 2",
      "send each reply to the address recvfrom() returned with that very datagram"]),
    ("wrong_ports_short_buffer", "serve_ports", "hidden", ["(1026 bytes) from port C", "(514 bytes) from port C",
                                                           "recvfrom(n) returns at most n bytes"]),
    ("wrong_ports_threads", "serve_ports", "hidden", ["serve_ports uses threading", "one thread that serves every client"]),
    ("wrong_ports_empty_is_eof", "serve_ports", "hidden",
     ["sent:     b'' (0 bytes)", "got:      no reply", "an empty datagram (b'') is a datagram like any other",
      "keep the socket in your select() list"]),
    ("wrong_lines_recv_is_a_line", "serve_lines", "both",
     ["half a line and stalled got bytes back although its line was not complete", "got:      b'a half li'",
      "one recv() is not one line"]),
    ("wrong_lines_read_whole_line", "serve_lines", "both",
     ["50 of 50 clients did not get their lines back within 1 s", "stuck in recv()", "`data = sock.recv(1)`",
      "call recv() only on a socket select() returned as readable"]),
    ("wrong_lines_keeps_closed", "serve_lines", "both",
     ["Your server stopped", "ValueError: file descriptor cannot be a negative integer (-1)",
      "Remove a socket from your lists when you close it"]),
    ("wrong_lines_ignores_eof", "serve_lines", "both",
     ["never closed those connections", "then the connection stayed open", "select() reports it readable forever"]),
    ("wrong_lines_crash_on_reset", "serve_lines", "both",
     ["Your server stopped", "had reset its connection", "raised ConnectionResetError", "Catch it, close that socket"]),
    ("wrong_lines_shared_buffer", "serve_lines", "both",
     ["got the wrong bytes back", "got:      b'a half li", "a buffer of its own"]),
    ("wrong_lines_first_line_only", "serve_lines", "hidden",
     ["three lines in one send()", "got:      b'one\\n' (4 bytes)", "waiting in select()",
      "send back every complete line in it"]),
    ("wrong_lines_splitlines", "serve_lines", "hidden", ["control characters", "splitlines() also cuts"]),
    ("wrong_lines_threads", "serve_lines", "hidden", ["serve_lines uses threading", "one thread"]),
    ("wrong_lines_sneaky_threads", "serve_lines", "hidden",
     ["Your server stopped", "forbids 'threading'", "no threads, processes or asyncio"]),
    ("wrong_http_char_length", "http_response", "both",
     ["answered GET /data.bin wrongly", "expected: Content-Length: 60000", "got:      Content-Length: 56859",
      "counts bytes, not characters"]),
    ("wrong_http_head_body", "http_response", "both",
     ["answered HEAD /hello.txt wrongly", "a 30-byte body after the head of a HEAD response", "no body at all"]),
    ("wrong_http_text_mode", "http_response", "both", ["raised UnicodeDecodeError", "binary mode"]),
    ("wrong_http_traversal", "http_response", "hidden",
     ["GET /../secret.txt gave the secret away", "the password is hunter2", "inside the folder"]),
    ("wrong_http_open_folder", "http_response", "hidden", ["GET /docs HTTP/1.0", "IsADirectoryError", "is not a file"]),
    ("wrong_http_bare_newlines", "http_response", "both",
     ["answered GET /hello.txt wrongly", "b'HTTP/1.0 200 OK\\n' (16 bytes): a line of the head that ends with "
      "b'\\n' alone", "ending with b'\\r\\n'", "HTTP ends every line of the head with b'\\r\\n'"]),
    ("wrong_http_string_prefix", "http_response", "hidden",
     ["GET /../site-private/secret.txt is in a sibling folder", "the sibling's password is swordfish",
      "a string prefix is not a folder"]),
    ("wrong_files_accept_then_recv", "serve_files", "both",
     ["20 of 20 clients got no complete response within 1 s", "one client stayed silent", "stuck in recv()"]),
    ("wrong_files_one_recv", "serve_files", "both",
     ["half a request and stalled got b'HTTP/1.0", "sent:     b'GET /hello.txt HT'", "one recv() is not one request"]),
    ("wrong_files_blocking_sendall", "serve_files", "hidden",
     ["did not read its own download of big.bin (1 MiB)", "stuck in sendall()", "select()'s write list"]),
    ("wrong_files_crash_on_reset", "serve_files", "hidden",
     ["Your server stopped", "reset in mid-download", "Catch it, close that socket"]),
    ("wrong_files_keeps_open", "serve_files", "both",
     ["but the connection stayed open", "close() the socket once the whole response has been sent"]),
    ("wrong_files_content_length", "serve_files", "both",
     ["wrong response to GET /data.bin", "Content-Length: 32073", "counts bytes, not characters"]),
    ("wrong_files_threads", "serve_files", "hidden", ["serve_files uses concurrent.futures", "one thread"]),
    ("wrong_files_send_and_close", "serve_files", "hidden",
     ["got a wrong response to GET /big.bin", "Content-Length: 1048576, then only",
      "send() sends only what fits in the socket's send buffer", "select()'s write list"]),
    ("wrong_epoll_select", "serve_files_epoll", "both",
     ["Your server stopped", "filedescriptor out of range in select()", "descriptor 1500", "FD_SETSIZE = 1024"]),
    ("wrong_epoll_select_selector", "serve_files_epoll", "both",
     ["filedescriptor out of range in select()", "selectors.DefaultSelector() is epoll"]),
    ("wrong_epoll_no_unregister", "serve_files_epoll", "both",
     ["Your server stopped", "is already registered", "unregister() a socket before you close() it"]),
    ("wrong_epoll_threads", "serve_files_epoll", "hidden", ["serve_files_epoll uses threading"]),
]


@pytest.mark.parametrize(("name", "function", "caught_by", "says"), WRONG, ids=[w[0] for w in WRONG])
def test_wrong_solutions_fail_with_their_lesson(name, function, caught_by, says, capsys):
    func = solution(name, function)
    if caught_by == "hidden":
        run_check(function, False, func)  # the self-check is lighter: only the hidden cases catch this one
    message = failure(function, caught_by == "hidden", func)
    missing = [text for text in says if text not in message]
    assert not missing, f"{name}: the message lacks {missing}:\n{message}"
    assert "Traceback" not in message.split("\n", 1)[0]
    assert capsys.readouterr().err == ""


# A web server that never handles recv() == b'': the hidden check closes a client's side before its request is
# complete and waits for the server to close that connection (what it must say); the visible check sees it spin
# when it should be idle, which a machine too busy to give the spinner a fifth of a core may hide.
IGNORES_EOF = [("wrong_files_ignores_eof", "serve_files"), ("wrong_epoll_ignores_eof", "serve_files_epoll")]


@pytest.mark.parametrize(("name", "function"), IGNORES_EOF, ids=[n for n, _ in IGNORES_EOF])
def test_a_web_server_that_ignores_eof_fails(name, function, capsys):
    func = solution(name, function)
    try:
        run_check(function, False, func)
    except CheckFailed as caught:
        message = str(caught)
        for text in ("s of CPU in", "when it had nothing to do: it was going round its loop", "going round its loop.",
                     "when recv() returns b'' the client has gone"):
            assert text in message, message
        assert "stuck in" not in message, message
    message = failure(function, True, func)
    for text in ("1 client closed their side (shutdown(SHUT_WR), so recv() on your side returned b'') but your "
                 "server never closed that connection (a client closed its side before its request was complete)",
                 "the client that sent half a request, then closed its side", "sent:     b'GET /index.ht'",
                 "then the connection stayed open", "when recv() returns b'' the client has gone"):
        assert text in message, message
    assert capsys.readouterr().err == ""


def test_every_solution_file_is_proven():
    named = {name for name, _ in RIGHT} | {w[0] for w in WRONG} | {name for name, _ in IGNORES_EOF}
    assert {p.stem for p in HERE.glob("*.py")} == named


# ------------------------------------------------------------------ the blank student version

def _not_written(*args):
    raise NotImplementedError()


@pytest.mark.parametrize("hidden", [False, True], ids=["visible", "hidden"])
@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_stub_is_not_written_yet(function, hidden):
    stub = _not_written
    stub.__name__ = function
    message = failure(function, hidden, stub)
    assert message == (f"{function} is not written yet: it raises NotImplementedError.\n"
                       f"Hint: replace `raise NotImplementedError()` in {function} with your code, run that cell, "
                       "then run this one again.")


def test_a_check_given_no_function_says_so():
    message = failure("serve_lines", False, None)
    assert "serve_lines should be a function; it is NoneType" in message


# ------------------------------------------------------------------ details of the checks

def test_the_scan_finds_threads_in_helpers_and_classes():
    import threading

    def helper():
        threading.Thread(target=print).start()

    class Pool:
        def grow(self):
            helper()

    def server(listener):
        Pool().grow()

    assert "threading" in checks._spawner_uses(server)
    assert checks._spawner_uses(REFERENCE.serve_lines) == []


def test_curl_is_skipped_with_a_note_when_missing(monkeypatch, capsys):
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    checks.check_serve_files(REFERENCE.serve_files)
    out = capsys.readouterr()
    assert out.out.strip() == checks._CURL_SKIPPED
    assert out.err == ""


def test_the_epoll_check_without_room_for_descriptor_1500(monkeypatch, capsys):
    monkeypatch.setattr(checks, "_high_fd", lambda: None)  # a machine whose ulimit -Hn is below 1024
    checks.check_serve_files_epoll(REFERENCE.serve_files_epoll)
    assert "too few open files" in capsys.readouterr().out
    message = failure("serve_files_epoll", False, solution("wrong_epoll_select", "serve_files_epoll"))
    assert "serve_files_epoll does not use the selectors module" in message


def test_the_check_module_does_not_shadow_the_standard_select():
    assert stdlib_select.select is checks._select.select
    assert hasattr(stdlib_select, "epoll")


# ------------------------------------------------------------------ the notebook's experiments

def _two_ports(blocking):
    def server():
        first, second = socket.socket(socket.AF_INET, socket.SOCK_DGRAM), socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        first.bind(("127.0.0.1", 0))
        second.bind(("127.0.0.1", 0))
        report_ready((first.getsockname(), second.getsockname()))
        while True:
            ready = [first, second] if blocking else stdlib_select.select([first, second], [], [])[0]
            for sock in ready:
                data, sender = sock.recvfrom(1024)
                sock.sendto(data, sender)

    return server


def test_udp_wait_times_show_the_blocking_server_starving_port_b():
    blocking = checks.udp_wait_times(_two_ports(True), clients=4, period=0.05)
    selecting = checks.udp_wait_times(_two_ports(False), clients=4, period=0.05)
    assert None not in blocking and None not in selecting
    assert blocking == sorted(blocking) and blocking[-1] >= 0.15  # one client of B per datagram on A
    assert max(selecting) < 0.05


def test_held_connections_measures_each_kind_of_server():
    reference = checks.held_connections(None, counts=(0, 40), probes=3)
    assert reference.counts == (0, 40) and len(reference.latency_ms) == 2 and not reference.note
    assert reference.threads[-1] >= 40  # a thread per idle connection
    epoll = checks.held_connections(REFERENCE.serve_files, counts=(0, 40), probes=3)
    assert epoll.counts == (0, 40) and not epoll.note
    assert epoll.threads[-1] <= 2  # the server and the runner's watchdog
    blank = checks.held_connections(_named_stub("serve_files"), counts=(0, 40), probes=3)
    assert blank.counts == () and blank.note == "serve_files is not written yet: it raises NotImplementedError."
    assert str(blank) == f"serve_files: nothing measured ({blank.note})"


def test_held_connections_stops_where_select_cannot_follow():
    selecting = checks.held_connections(solution("wrong_epoll_select", "serve_files_epoll"),
                                        counts=(0, 1100), probes=1)
    assert selecting.counts == (0,)
    assert "failed at 1100 connections" in selecting.note and "out of range in select()" in selecting.note


def _named_stub(name):
    def stub(listener, folder):
        raise NotImplementedError()

    stub.__name__ = name
    return stub
