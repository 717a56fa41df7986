"""The checks of notebook 4 (netkit.checks.tcp) against right and wrong solutions.

Every right solution (three styles, in tests/solutions/tcp/right_*.py) passes every check,
visible and hidden. Every wrong one (tests/solutions/tcp/wrong.py, one per classic mistake)
fails the test cell that a student runs first (the visible check, or the hidden cell, which
runs the visible check and then the hidden one), with the message text asserted here.
Wrong solutions that hang are given shorter deadlines than students get, to keep this fast.
"""

import pytest

from netkit.checks import tcp
from netkit.errors import CheckFailed
from netkit.hidden import tcp as tcp_hidden
from tests.solutions.tcp import right_chunks, right_makefile, right_recv_into
from tests.solutions.tcp import wrong as W

RIGHT = [right_recv_into, right_chunks, right_makefile]

EXERCISES = {
    # exercise: (visible check, hidden check, the solution module's names it takes)
    "recv_exactly": (tcp.check_recv_exactly, tcp_hidden.check_recv_exactly_hidden, ["recv_exactly"]),
    "socket_reader": (tcp.check_socket_reader, tcp_hidden.check_socket_reader_hidden, ["SocketReader"]),
    "messages": (tcp.check_messages, tcp_hidden.check_messages_hidden, ["send_msg", "recv_msg"]),
    "echo_server": (tcp.check_echo_server, tcp_hidden.check_echo_server_hidden, ["make_listener", "serve_echo"]),
    "http_get": (tcp.check_http_get, tcp_hidden.check_http_get_hidden, ["http_get"]),
    "ask": (tcp.check_ask, tcp_hidden.check_ask_hidden, ["ask"]),
}


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("module", RIGHT, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_right_solutions_pass_every_check(module, exercise):
    visible, hidden, names = EXERCISES[exercise]
    args = [getattr(module, name) for name in names]
    visible(*args)
    hidden(*args)


# (wrong solution, exercise, which cell catches it, phrases of the message)
WRONG = [
    # recv_exactly
    (W.recv_exactly_one_recv, "recv_exactly", "visible",
     ["recv_exactly(sock, 12) returned only part of the message", "recv(n) returns at most n bytes"]),
    (W.recv_exactly_waits_elsewhere, "recv_exactly", "visible",
     ["did not return within", "it was not reading", "could send only 1 byte of 12", "stuck in accept()",
      "nothing but recv()"]),
    (W.recv_exactly_short_read_loop, "recv_exactly", "visible", ["returned only part of the message", "b'H'"]),
    (W.recv_exactly_spins_at_eof, "recv_exactly", "visible",
     ["never noticed EOF", "going round a loop", "returns b'' forever"]),
    (W.recv_exactly_short_at_eof, "recv_exactly", "visible",
     ["returned a short result", "expected: EOFError", "b'HELLO' (5 bytes)"]),
    (W.recv_exactly_over_reads, "recv_exactly", "visible", ["belong to the next message", "b'NEXT'"]),
    (W.recv_exactly_makefile, "recv_exactly", "visible", ["belong to the next message", "makefile()"]),
    (W.recv_exactly_wrong_error, "recv_exactly", "visible", ["raised ConnectionError", "asks for EOFError"]),
    (W.recv_exactly_retries_after_eof, "recv_exactly", "visible",
     ["raised EOFError, as it should, but only after it had called recv() 3 more times", "do not call recv() again"]),
    # SocketReader
    (W.ReaderNoBuffer, "socket_reader", "visible",
     ["reader.recv_until(b'\\r\\n') raised EOFError, but b'LEN 5\\r\\n'", "Keep the extra bytes in a buffer"]),
    (W.ReaderOneRecv, "socket_reader", "visible", ["returned the wrong bytes", "expected b'HELLO\\r\\n'"]),
    (W.ReaderSpinsAtEof, "socket_reader", "visible", ["never noticed EOF", "2. reader.recv_until(b'\\n')"]),
    (W.ReaderNewChunkOnly, "socket_reader", "visible", ["split across", "one byte at a time"]),
    (W.ReaderExactlyIgnoresBuffer, "socket_reader", "visible",
     ["reader.recv_exactly(5) raised EOFError, but b'abcde'"]),
    (W.ReaderShortAtEof, "socket_reader", "visible", ["returned a short result instead of raising EOFError"]),
    (W.ReaderToEofIgnoresBuffer, "socket_reader", "visible",
     ["reader.recv_to_eof() returned only part", "bytes still in your buffer"]),
    (W.ReaderWithoutDelimiter, "socket_reader", "visible",
     ["returned the bytes before the delimiter, without the delimiter itself", "up to and including the delimiter",
      "the b'\\r\\n' is part of the result"]),
    (W.ReaderToEofRaisesAtEof, "socket_reader", "hidden", ["the normal end, not an error"]),
    # send_msg / recv_msg
    (W.send_msg_send_not_sendall, "messages", "visible", ["send_msg(sock,", "sendall()"]),
    (W.send_msg_little_endian, "messages", "visible",
     ["the length prefix is little-endian", "b'\\x05\\x00\\x00\\x00hello'"]),
    (W.send_msg_two_byte_prefix, "messages", "visible", ["the length prefix is 2 bytes, not 4"]),
    (W.send_msg_no_prefix, "messages", "visible", ["without a length prefix"]),
    (W.recv_msg_one_recv, "messages", "visible", ["recv_msg returned only part of it", "one byte at a time"]),
    (W.recv_msg_prefix_one_recv, "messages", "visible", ["message 1: recv_msg returned", "recv(n) returns"]),
    (W.recv_msg_little_endian, "messages", "visible",
     ["had arrived whole", "Read little-endian, that prefix would announce 83,886,080 bytes"]),
    (W.recv_msg_makefile_per_call, "messages", "visible", ["message 2", "had arrived whole", "makefile()"]),
    (W.recv_msg_short_at_eof, "messages", "visible", ["returned instead of raising EOFError"]),
    (W.recv_msg_one_recv_each, "messages", "visible",
     ["was arriving one byte at a time, and recv_msg raised EOFError, but the peer had not closed the connection",
      "only b'' from recv() means the peer has closed"]),
    (W.recv_msg_empty_at_eof, "messages", "visible",
     ["recv_msg returned b'' (0 bytes) instead of raising EOFError", "before the first byte of another message",
      "an empty message is its 4-byte length"]),
    # the echo server
    (W.make_listener_no_reuseaddr, "echo_server", "visible",
     ["Address already in use", "TIME_WAIT", "SO_REUSEADDR before bind()"]),
    (W.make_listener_no_listen, "echo_server", "visible", ["not listening", "listen()"]),
    (W.make_listener_any_address, "echo_server", "visible", ["bound to '0.0.0.0', not the host it was given"]),
    (W.serve_echo_no_close, "echo_server", "visible", ["did not close the connection", "waited"]),
    (W.serve_echo_leaks_descriptors, "echo_server", "visible",
     ["After 3 clients", "3 more sockets", "shutdown() alone does not free it"]),
    (W.serve_echo_one_client, "echo_server", "visible", ["serve_echo had returned", "loops forever"]),
    (W.serve_echo_send_not_sendall, "echo_server", "visible", ["client 2 (1 MiB): the echo differs", "sendall()"]),
    (W.serve_echo_one_recv, "echo_server", "visible",
     ["client 2 (1 MiB): your server echoed only", "bytes of 1,048,576 bytes"]),
    (W.serve_echo_short_read_loop, "echo_server", "visible", ["echoed only", "until recv() returns b''"]),
    (W.serve_echo_spins_at_eof, "echo_server", "visible", ["client 1: your server echoed only 0 bytes"]),
    (W.serve_echo_after_eof, "echo_server", "visible",
     ["client 4 (interactive) sent b'ping\\n' and waited for its echo", "nothing came back within 0.8 s",
      "stuck in recv()", "Do not collect the input until EOF first"]),
    # http_get
    (W.http_get_body_one_recv, "http_get", "visible", ["returned the wrong body", "one recv() is not the whole body"]),
    (W.http_get_case_sensitive, "http_get", "visible",
     ["did not return within", "'content-LENGTH' header", "case-insensitive"]),
    (W.http_get_headers_keep_case, "http_get", "visible", ["returned the wrong headers", "case-insensitive"]),
    (W.http_get_head_in_one_chunk, "http_get", "visible", ["did not return within", "one byte at a time"]),
    (W.http_get_urllib, "http_get", "visible", ["http_get uses urlopen", "write the client yourself"]),
    (W.http_get_no_blank_line, "http_get", "visible", ["still waiting for the end of your request"]),
    (W.http_get_split_last_blank_line, "http_get", "visible", ["did not return within"]),
    (W.http_get_no_host, "http_get", "visible", ["sent a request without a Host header", "b'Host: ' + host"]),
    (W.http_get_raises_on_404, "http_get", "visible",
     ["http_get('127.0.0.1', ", "'/missing.txt') raised RuntimeError: HTTP error 404",
      "The server had answered with status 404 and a whole response", "expected: (404, headers, body)",
      "a 404 is a normal response, not an exception"]),
    (W.http_get_split_every_colon, "http_get", "visible",
     ["returned the wrong headers: 'date' is '", "Each of 'date', 'last-modified' stops where its value has a "
      "colon of its own", "split each line at its first colon only"]),
    (W.http_get_unpacks_every_colon, "http_get", "visible",
     ["raised ValueError: too many values to unpack", "header values that hold a colon themselves, such as 'Date: ",
      "split each line at its first colon only"]),
    (W.http_get_head_one_recv, "http_get", "visible",
     ["returned the wrong headers: missing", "Read the head until b'\\r\\n\\r\\n' has arrived"]),
    # ask
    (W.ask_close_not_shutdown, "ask", "visible", ["after close() the socket is gone", "shutdown(socket.SHUT_WR)"]),
    (W.ask_no_shutdown, "ask", "visible", ["still waiting for the end of your request", "deadlock"]),
    (W.ask_shut_rdwr, "ask", "visible", ["returned b''", "SHUT_RDWR"]),
    (W.ask_one_recv, "ask", "visible", ["only part of the reply", "until recv() returns b''"]),
    (W.ask_short_read_loop, "ask", "visible", ["only part of the reply"]),
    (W.ask_send_not_sendall, "ask", "visible",
     ["the server received only the first", "before your EOF", "sendall() loops until every byte is out"]),
]


def _args(wrong, exercise):
    """The wrong solution in its place; the other half of a pair comes from right_chunks."""
    names = EXERCISES[exercise][2]
    name = wrong.__name__
    if len(names) == 1:
        return [wrong]
    return [wrong if name.startswith(n) else getattr(right_chunks, n) for n in names]


@pytest.fixture
def short_waits(monkeypatch):
    """Hanging wrong solutions cost their deadline: shorten it (right ones need milliseconds)."""
    monkeypatch.setattr(tcp, "DEADLINE", 0.8)
    monkeypatch.setattr(tcp, "CLIENT_WAIT", 0.8)
    monkeypatch.setattr(tcp_hidden, "CLIENT_WAIT", 0.8)  # imported from tcp by value


@pytest.mark.parametrize("wrong, exercise, cell, phrases", WRONG, ids=[w[0].__name__ for w in WRONG])
def test_wrong_solutions_fail_with_their_lesson(wrong, exercise, cell, phrases, short_waits):
    visible, hidden, _ = EXERCISES[exercise]
    args = _args(wrong, exercise)
    with pytest.raises(CheckFailed) as failure:
        visible(*args)
        if cell == "hidden":
            hidden(*args)
    message = str(failure.value)
    missing = [phrase for phrase in phrases if phrase not in message]
    assert not missing, f"{wrong.__name__}: {missing} not in the message:\n{message}"
    assert "Hint:" in message


def test_hidden_echo_check_alone_fails_with_a_message(short_waits):
    """The hidden cell's check on its own, against a server that returns after one client: the next
    clients are refused (or reset, if the listener is not closed yet), and that is a message, not a crash."""
    with pytest.raises(CheckFailed) as failure:
        tcp_hidden.check_echo_server_hidden(right_chunks.make_listener, W.serve_echo_one_client)
    message = str(failure.value)
    assert message.startswith("Two clients connected at once")
    assert "serve_echo had returned" in message


def _stub(*args, **kwargs):
    raise NotImplementedError()


class StubReader:
    def __init__(self, sock):
        raise NotImplementedError()


@pytest.mark.parametrize("exercise", EXERCISES)
def test_blank_stubs_say_not_written_yet(exercise):
    visible, hidden, names = EXERCISES[exercise]
    args = [StubReader if exercise == "socket_reader" else _stub for _ in names]
    for check in (visible, hidden):
        with pytest.raises(CheckFailed, match="is not written yet: it raises NotImplementedError"):
            check(*args)


def test_connection_states_sees_time_wait():
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    with listener, socket.create_connection(("127.0.0.1", port), timeout=2) as client:
        conn, _ = listener.accept()
        conn.close()
        assert client.recv(10) == b""
    states = [state for local, _remote, state in tcp.connection_states(port) if local[1] == port]
    assert "TIME_WAIT" in states
