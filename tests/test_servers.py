"""netkit.servers: every server answers a real client on loopback and leaves nothing behind."""

import random
import socket
import threading
import time

import pytest

from netkit import servers
from netkit.errors import PeerError
from netkit.leaks import leftovers, snapshot
from netkit.servers import (
    Address,
    echo_server,
    nop_server,
    scripted_server,
    tcp_server,
    temp_root,
    udp_server,
)

pytestmark = pytest.mark.timeout(20)
TIMEOUT = 5.0  # a client never waits longer than this, so a bug fails instead of hanging


def connect(address):
    return socket.create_connection(address, timeout=TIMEOUT)


def recv_all(conn):
    """Everything until EOF."""
    chunks = []
    while data := conn.recv(65536):
        chunks.append(data)
    return b"".join(chunks)


# -- Address -------------------------------------------------------------------------------


def test_address_is_a_host_port_tuple():
    address = Address("127.0.0.1", 8080)
    assert address == ("127.0.0.1", 8080)
    host, port = address
    assert (host, port) == (address.host, address.port)
    assert str(address) == "127.0.0.1:8080"


@pytest.mark.parametrize(
    "make",
    [
        lambda: tcp_server(lambda conn, addr: None),
        lambda: udp_server(lambda data, addr: None),
        echo_server,
        nop_server,
        lambda: scripted_server(b"hi"),
    ],
    ids=["tcp", "udp", "echo", "nop", "scripted"],
)
def test_every_server_binds_loopback_on_a_kernel_port(make):
    with make() as address:
        assert isinstance(address, Address)
        assert address.host == "127.0.0.1" and 0 < address.port < 65536


def test_a_server_can_be_stopped_twice_and_not_started_twice():
    server = echo_server()
    server.stop()  # never started: nothing to do
    with server:
        with pytest.raises(RuntimeError, match="already started"):
            server.start()
    server.stop()


def _ping(conn, addr):
    conn.sendall(conn.recv(1))
    conn.recv(1)  # blocks until stop() shuts the connection down


# name: (make the server, what a connected client receives once its handler runs, or None)
LIVE = {
    "tcp": (lambda: tcp_server(_ping), b"x"),
    "echo": (echo_server, b"x"),
    "nop": (nop_server, None),
    "scripted-hold": (lambda: scripted_server(b"x", then="hold"), b"x"),
    "scripted-half-close": (lambda: scripted_server(b"x", then="half_close"), b"x"),
    "scripted-gap": (lambda: scripted_server([b"x", b"y"], gap=30), b"x"),
}


@pytest.mark.parametrize("make, greeting", LIVE.values(), ids=LIVE)
def test_exit_leaves_nothing_behind_at_once_even_with_clients_connected(make, greeting):
    # Stricter than conftest's leak check, which waits a moment: exit itself joins and closes.
    before = snapshot()
    with make() as address:
        clients = [connect(address) for _ in range(3)]
        for client in clients:
            client.sendall(b"x")
            if greeting is not None:
                assert client.recv(1) == greeting  # its handler thread is running
    assert [line for line in leftovers(before) if "socket" not in line] == []  # no thread
    for client in clients:
        assert recv_all(client) in (b"", b"x", b"y")  # EOF, perhaps after the rest
        client.close()
    assert leftovers(before) == []


def test_udp_exit_leaves_nothing_behind_at_once():
    before = snapshot()
    with udp_server(lambda data, addr: data) as address:
        with socket.socket(type=socket.SOCK_DGRAM) as client:
            client.settimeout(TIMEOUT)
            client.sendto(b"x", address)
            assert client.recv(10) == b"x"
    assert leftovers(before) == []


# -- tcp_server ----------------------------------------------------------------------------


def test_tcp_server_runs_the_handler_per_connection_and_closes_after_it():
    seen = []

    def handler(conn, addr):
        seen.append((addr[0], threading.current_thread().name))
        conn.sendall(conn.recv(100).upper())

    with tcp_server(handler) as address:
        for _ in range(3):
            with connect(address) as client:
                client.sendall(b"ping")
                assert recv_all(client) == b"PING"  # then EOF: the server closed
    assert [host for host, _ in seen] == ["127.0.0.1"] * 3
    assert len({name for _, name in seen}) == 3
    assert all(name != threading.current_thread().name for _, name in seen)


def test_tcp_server_serves_connections_concurrently():
    both = threading.Barrier(2, timeout=TIMEOUT)

    def handler(conn, addr):
        both.wait()  # returns only once two handlers run at the same time
        conn.sendall(b"ok")

    with tcp_server(handler) as address:
        with connect(address) as first, connect(address) as second:
            assert recv_all(first) == b"ok" and recv_all(second) == b"ok"


def test_tcp_server_keeps_handler_exceptions_quiet(capfd):
    def handler(conn, addr):
        raise ValueError("handler broke")

    server = tcp_server(handler)
    with server as address:
        with connect(address) as client:
            assert client.recv(10) == b""
    assert [type(e) for e in server.errors] == [ValueError]
    assert str(server.errors[0]) == "handler broke"
    assert capfd.readouterr().err == ""


def test_tcp_server_stop_wakes_handlers_blocked_in_recv_and_joins_them():
    started = threading.Event()

    def handler(conn, addr):
        started.set()
        conn.recv(100)  # blocks until stop() shuts the connection down

    server = tcp_server(handler)
    with server as address:
        client = connect(address)
        assert started.wait(TIMEOUT)
        begin = time.monotonic()
    assert time.monotonic() - begin < 0.5
    with client:
        assert client.recv(10) == b""  # the server closed its end
    assert server.errors == []


def test_tcp_server_reports_a_handler_that_ignores_stop(monkeypatch):
    monkeypatch.setattr(servers, "JOIN_TIMEOUT", 0.05)
    entered, release = threading.Event(), threading.Event()

    def stubborn(conn, addr):
        entered.set()
        release.wait(TIMEOUT)  # not a socket call: stop() cannot wake it

    server = tcp_server(stubborn)
    with server as address:
        client = connect(address)
        assert entered.wait(TIMEOUT)
    release.set()
    client.close()
    assert [type(e) for e in server.errors] == [PeerError]
    assert "still ran" in str(server.errors[0])
    for thread in threading.enumerate():
        if thread.name.startswith(f"netkit-tcp-{server.address.port}"):
            thread.join(TIMEOUT)


# -- udp_server ----------------------------------------------------------------------------


def test_udp_server_reports_a_handler_that_never_returns(monkeypatch):
    monkeypatch.setattr(servers, "JOIN_TIMEOUT", 0.05)
    entered, release = threading.Event(), threading.Event()

    def stuck(data, addr):
        entered.set()
        release.wait(TIMEOUT)

    server = udp_server(stuck)
    with server as address, socket.socket(type=socket.SOCK_DGRAM) as client:
        client.sendto(b"x", address)
        assert entered.wait(TIMEOUT)
    release.set()
    server._thread.join(TIMEOUT)
    assert [type(e) for e in server.errors] == [PeerError]
    assert f"netkit-udp-{address.port} still ran" in str(server.errors[0])


def test_udp_server_sends_back_bytes_a_list_or_nothing():
    def handler(data, addr):
        return {b"one": b"1", b"two": [b"2a", b"2b"], b"none": None}[data]

    with udp_server(handler) as address, socket.socket(type=socket.SOCK_DGRAM) as client:
        client.settimeout(TIMEOUT)
        for request in (b"one", b"none", b"two"):
            client.sendto(request, address)
        # "none" got no reply: the next datagram answers "two", in arrival order.
        replies = [client.recvfrom(100) for _ in range(3)]
    assert [data for data, _ in replies] == [b"1", b"2a", b"2b"]
    assert {source for _, source in replies} == {address}


def test_udp_server_keeps_handler_errors_and_goes_on(capfd):
    def handler(data, addr):
        if data == b"boom":
            raise KeyError(data)
        return "text" if data == b"str" else data

    server = udp_server(handler)
    with server as address, socket.socket(type=socket.SOCK_DGRAM) as client:
        client.settimeout(TIMEOUT)
        for request in (b"boom", b"str", b"fine"):
            client.sendto(request, address)
        assert client.recv(100) == b"fine"
    assert [type(e) for e in server.errors] == [KeyError, TypeError]
    assert "not str" in str(server.errors[1])
    assert capfd.readouterr().err == ""


def test_udp_server_answers_a_large_datagram():
    payload = random.Random(1).randbytes(60_000)
    with udp_server(lambda data, addr: data[::-1]) as address:
        with socket.socket(type=socket.SOCK_DGRAM) as client:
            client.settimeout(TIMEOUT)
            client.sendto(payload, address)
            assert client.recv(65535) == payload[::-1]


# -- echo and nop --------------------------------------------------------------------------


def test_echo_server_echoes_a_mebibyte():
    payload = random.Random(0).randbytes(1 << 20)
    with echo_server() as address, connect(address) as client:
        # Strategy: send from a thread while reading here, or both sides' buffers fill.
        def send():
            client.sendall(payload)
            client.shutdown(socket.SHUT_WR)

        sender = threading.Thread(target=send)
        sender.start()
        try:
            echoed = recv_all(client)
        finally:
            sender.join(TIMEOUT)
    assert len(echoed) == len(payload) and echoed == payload


def test_echo_server_serves_several_clients():
    with echo_server() as address:
        clients = [connect(address) for _ in range(5)]
        for index, client in enumerate(clients):
            client.sendall(b"client %d" % index)
        for index, client in enumerate(clients):
            assert client.recv(100) == b"client %d" % index
            client.close()


def test_nop_server_never_answers_and_keeps_the_connection_open():
    with nop_server() as address, connect(address) as client:
        client.sendall(b"hello?")
        client.settimeout(0.2)
        with pytest.raises(TimeoutError):
            client.recv(100)
        client.sendall(b"still there?")  # no reset, no FIN: the connection is open
        with pytest.raises(TimeoutError):
            client.recv(100)


def test_nop_server_closes_connections_when_stopped():
    with nop_server() as address:
        client = connect(address)
    with client:
        assert client.recv(100) == b""


# -- scripted_server -----------------------------------------------------------------------


def test_scripted_close_sends_the_script_then_eof():
    with scripted_server([b"220 hello\r\n", b"", b"bye\r\n"]) as address:
        with connect(address) as client:
            assert recv_all(client) == b"220 hello\r\nbye\r\n"


def test_scripted_close_is_a_fin_even_if_the_client_sent_something():
    with scripted_server(b"reply", then="close") as address, connect(address) as client:
        client.sendall(b"request the server never reads")
        assert recv_all(client) == b"reply"  # not ConnectionResetError


def test_scripted_half_close_gives_eof_and_the_client_can_still_write():
    with scripted_server(b"partial", then="half_close") as address, connect(address) as client:
        assert recv_all(client) == b"partial"
        assert client.recv(10) == b""  # EOF stays EOF
        client.sendall(random.Random(2).randbytes(1 << 20))  # the server keeps reading
        client.shutdown(socket.SHUT_WR)
        assert client.recv(10) == b""  # and then closes without a reset


# A reset may beat connect() itself (ECONNRESET from connect); read_first=1 makes the
# server wait until the client, connected for sure, has sent a byte.


def test_scripted_reset_is_a_connection_reset():
    with scripted_server(b"", then="reset", read_first=1) as address, connect(address) as client:
        client.sendall(b"?")
        with pytest.raises(ConnectionResetError):
            client.recv(100)


def test_scripted_reset_after_data_delivers_the_data_first():
    with scripted_server(b"half a mess", then="reset", read_first=1) as address:
        client = connect(address)
        client.sendall(b"?")
        received = b""
        with pytest.raises(ConnectionResetError):
            while data := client.recv(100):
                received += data
        client.close()
        assert received == b"half a mess"


def test_scripted_hold_sends_the_script_and_stays_open():
    with scripted_server(b"hi", then="hold") as address, connect(address) as client:
        assert client.recv(100) == b"hi"
        client.settimeout(0.2)
        with pytest.raises(TimeoutError):
            client.recv(100)


def test_scripted_gap_spaces_the_pieces():
    gap = 0.05
    with scripted_server([b"a", b"b", b"c"], gap=gap) as address:
        begin = time.monotonic()
        with connect(address) as client:
            assert recv_all(client) == b"abc"
        assert time.monotonic() - begin >= 2 * gap


def test_scripted_gap_does_not_delay_stop():
    with scripted_server([b"a", b"b"], gap=30) as address:
        client = connect(address)
        assert client.recv(10) == b"a"
        begin = time.monotonic()
    assert time.monotonic() - begin < 0.5
    with client:
        assert client.recv(10) == b""


def test_scripted_read_first_waits_for_the_request():
    with scripted_server(b"answer", read_first=4) as address, connect(address) as client:
        client.settimeout(0.1)
        with pytest.raises(TimeoutError):
            client.recv(100)
        client.settimeout(TIMEOUT)
        client.sendall(b"ab")
        client.sendall(b"cd")
        assert recv_all(client) == b"answer"


def test_scripted_read_first_minus_one_reads_until_eof():
    with scripted_server(b"got it", read_first=-1) as address, connect(address) as client:
        client.sendall(b"x" * 100_000)
        client.shutdown(socket.SHUT_WR)
        assert recv_all(client) == b"got it"


@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        ({"then": "explode"}, ValueError, "then='explode' is not one of close"),
        ({"gap": -1}, ValueError, "gap=-1"),
        ({"read_first": -2}, ValueError, "read_first=-2"),
        ({"script": "text"}, TypeError, "'text'"),
        ({"script": [b"ok", 42]}, TypeError, "42"),
    ],
)
def test_scripted_server_names_a_bad_argument(kwargs, error, text):
    kwargs = {"script": b"x", **kwargs}
    with pytest.raises(error, match=text):
        scripted_server(kwargs.pop("script"), **kwargs)


# -- temp_root -----------------------------------------------------------------------------


def test_temp_root_is_filled_and_removed():
    with temp_root({"a.txt": b"A", "sub/dir/b.bin": b"\0\r\n"}) as root:
        assert (root / "a.txt").read_bytes() == b"A"
        assert (root / "sub" / "dir" / "b.bin").read_bytes() == b"\0\r\n"
    assert not root.exists()


@pytest.mark.parametrize("name", ["/etc/passwd", "../escape", "a/../../b", ""])
def test_temp_root_refuses_paths_outside_it(name):
    with pytest.raises(ValueError, match="relative path inside the root"):
        with temp_root({name: b"x"}):
            pass
