"""netkit.proxies: what each knob does, as a client or a server on the other side sees it."""

import collections
import socket
import threading
import time

import pytest

from netkit.leaks import assert_no_leaks, leftovers, snapshot
from netkit.proxies import UDPFaults, datagram_fate, lockstep_peer, lockstep_proxy, tcp_proxy, udp_proxy
from netkit.servers import echo_server, scripted_server, tcp_server, udp_server

GREETING = b"220 Service ready for new user\r\n"


@pytest.fixture(autouse=True)
def quiet(capfd):
    """A proxy never writes to stderr, whatever its peers do."""
    yield
    assert capfd.readouterr().err == ""


def connect(address, timeout=2.0):
    return socket.create_connection(address, timeout=timeout)


def recv_until_eof(sock):
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


def recv_line(sock):
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def naive_greeting(address):
    """The classic mistake: one recv() is one message."""
    with connect(address) as sock:
        return sock.recv(1024)


def correct_greeting(address):
    with connect(address) as sock:
        return recv_line(sock)


def sent(recording, direction):
    return [c.data for c in recording.chunks if c.direction == direction and c.data]


# --- TCP: re-segmenting ------------------------------------------------------------------


def test_a_naive_client_fails_through_a_resegmenting_proxy_and_a_recv_loop_passes():
    with scripted_server(GREETING) as server:
        assert naive_greeting(server) == GREETING  # straight to the server, one recv happens to work
        with tcp_proxy(server, chunk=8, gap=0.1) as proxy:
            got = naive_greeting(proxy.address)
            assert got != GREETING and GREETING.startswith(got), got
            assert correct_greeting(proxy.address) == GREETING


def test_chunk_cuts_the_stream_at_multiples_of_the_chunk_size():
    message = bytes(range(65, 65 + 40))
    with scripted_server(message) as server, tcp_proxy(server, chunk=3) as proxy:
        with connect(proxy.address) as sock:
            assert recv_until_eof(sock) == message
    pieces = sent(proxy.recording, "<-")
    assert b"".join(pieces) == message
    offset = 0
    for piece in pieces:  # no piece crosses a 3-byte boundary of the stream
        assert offset // 3 == (offset + len(piece) - 1) // 3, (offset, piece)
        offset += len(piece)
    assert len(pieces) >= 14


def test_to_server_resegments_what_the_client_sends_and_leaves_replies_alone():
    message = b"USER student\r\n"
    first_reads, done = [], threading.Event()

    def naive_server(conn, addr):
        first_reads.append(conn.recv(1024))
        done.set()
        conn.sendall(b"331 Password required\r\n")
        recv_until_eof(conn)

    with tcp_server(naive_server) as server, tcp_proxy(server, chunk=1, gap=0.05, direction="to_server") as proxy:
        with connect(proxy.address) as sock:
            sock.sendall(message)
            assert done.wait(2)
            assert recv_line(sock) == b"331 Password required\r\n"
    assert first_reads[0] != message and message.startswith(first_reads[0])
    assert all(len(piece) == 1 for piece in sent(proxy.recording, "->"))
    assert sent(proxy.recording, "<-") == [b"331 Password required\r\n"]


# --- TCP: a lockstep peer ------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 5])
def test_a_lockstep_peer_gives_each_recv_one_piece_however_late_the_reader_starts(chunk):
    message = b"220 Service ready\r\n"
    with lockstep_peer(message, chunk=chunk, then="close") as (sock, recording):
        time.sleep(0.05)  # a late reader: a proxy's pieces would all be waiting by now
        reads = []
        while data := sock.recv(4096):
            reads.append(data)
    assert reads == [message[at:at + chunk] for at in range(0, len(message), chunk)]
    assert recording.data("<-") == message
    assert [chunk.event for chunk in recording.chunks if chunk.event] == ["connect", "close"]


def test_a_lockstep_peer_holds_the_connection_open_and_sends_nothing_unread():
    with lockstep_peer([b"ab", b"cd"], chunk=2) as (sock, recording):
        assert sock.recv(10) == b"ab"
        sock.settimeout(0.2)
        assert sock.recv(10) == b"cd"
        with pytest.raises(TimeoutError):  # "hold": no FIN, nothing more
            sock.recv(10)
    assert recording.data("<-") == b"abcd"


@pytest.mark.parametrize("knobs", [{"chunk": 0}, {"chunk": "random"}, {"then": "reset"}])
def test_bad_lockstep_knobs_are_refused_by_name(knobs):
    with pytest.raises(ValueError, match=next(iter(knobs))):
        with lockstep_peer(b"x", **knobs):
            pass


def test_a_lockstep_peer_or_proxy_leaves_nothing_behind():
    before = snapshot()
    with lockstep_peer(b"x" * 100, chunk=1) as (sock, _recording):
        assert sock.recv(1) == b"x"  # the peer still has 99 pieces to send when the block ends
    with scripted_server(b"y" * 100, then="hold") as address, lockstep_proxy(address) as (sock, _recording):
        assert sock.recv(1) == b"y"  # the relay is still waiting on both sides when the block ends
    assert_no_leaks(before)


def test_a_lockstep_proxy_relays_a_conversation_one_piece_per_recv():
    def server(conn, addr):
        conn.sendall(GREETING)
        line = recv_line(conn)
        conn.sendall(b"331 got " + line)

    with tcp_server(server) as address, lockstep_proxy(address, chunk="random", seed=3) as (sock, recording):
        time.sleep(0.05)  # a late reader still gets one piece per recv()
        reads = [sock.recv(4096)]
        while b"".join(reads) != GREETING:
            reads.append(sock.recv(4096))
        sock.sendall(b"USER x\r\n")
        rest = recv_until_eof(sock)
    assert rest == b"331 got USER x\r\n"
    pieces = [c.data for c in recording.chunks if c.direction == "<-" and c.data]
    assert reads == pieces[:len(reads)] and len(reads) > 1
    assert recording.data("->") == b"USER x\r\n"
    assert [(c.direction, c.event) for c in recording.chunks if c.event] == [("->", "connect"), ("<-", "close")]


def test_a_proxy_in_lockstep_gives_each_recv_one_piece_on_a_connection_the_reader_made():
    message = b"220-Welcome\r\n to the course\r\n220 FTP server.\r\n" * 4
    all_sent = threading.Event()

    def server(conn, addr):
        conn.sendall(message)
        all_sent.set()

    with tcp_server(server) as address, tcp_proxy(address, chunk="random", seed=5, lockstep=True) as proxy:
        with socket.create_connection(proxy.address) as sock:  # the reader's own socket, as a student's is
            assert all_sent.wait(5)  # a late reader: without lockstep, the pieces would be waiting together
            reads = []
            while data := sock.recv(4096):
                reads.append(data)
    pieces = [c.data for c in proxy.recording.chunks if c.direction == "<-" and c.data]
    assert reads == pieces and len(reads) > 5 and b"".join(reads) == message


def test_a_lockstep_proxy_cuts_the_same_pieces_for_the_same_seed():
    def cuts(seed):
        with scripted_server(bytes(200)) as address, lockstep_proxy(address, chunk="random", seed=seed) as (sock, rec):
            recv_until_eof(sock)
        return [len(c.data) for c in rec.chunks if c.direction == "<-" and c.data]

    assert cuts(1) == cuts(1) != cuts(2)


def random_cuts(seed):
    message = bytes(300)
    with scripted_server(message) as server, tcp_proxy(server, chunk="random", seed=seed) as proxy:
        with connect(proxy.address) as sock:
            assert recv_until_eof(sock) == message
    return [len(piece) for piece in sent(proxy.recording, "<-")]


def test_random_chunk_sizes_are_seeded():
    first = random_cuts(seed=1)
    assert random_cuts(seed=1) == first
    assert random_cuts(seed=2) != first
    assert sum(first) == 300 and all(1 <= size <= 64 for size in first) and len(set(first)) > 3


def test_coalesce_merges_separate_writes_into_one_send():
    writes = [b"USER anna\r\n", b"PASS secret\r\n", b"QUIT\r\n"]
    with scripted_server(writes, gap=0.005, then="hold") as server, tcp_proxy(server, coalesce=True) as proxy:
        with connect(proxy.address) as sock:
            assert sock.recv(4096) == b"".join(writes)  # one recv() gets all three writes
    assert sent(proxy.recording, "<-") == [b"".join(writes)]


# --- TCP: stalls, FIN, RST, half-close ---------------------------------------------------


def test_stall_forever_stops_in_the_middle_of_a_message():
    with scripted_server(b"HELLO WORLD\r\n", then="hold") as server, tcp_proxy(server, stall_after=5) as proxy:
        with connect(proxy.address, timeout=0.15) as sock:
            assert sock.recv(1024) == b"HELLO"
            with pytest.raises(socket.timeout):
                sock.recv(1024)
    assert proxy.recording.data("<-") == b"HELLO"


def test_stall_for_resumes_after_the_pause():
    with scripted_server(b"HELLO WORLD\r\n") as server, tcp_proxy(server, stall_after=5, stall_for=0.2) as proxy:
        with connect(proxy.address) as sock:
            assert recv_until_eof(sock) == b"HELLO WORLD\r\n"
    times = [c.t for c in proxy.recording.chunks if c.direction == "<-" and c.data]
    assert len(times) == 2 and times[1] - times[0] >= 0.19


def test_close_after_sends_a_fin_after_n_bytes():
    with scripted_server(b"x" * 100, then="hold") as server, tcp_proxy(server, close_after=10) as proxy:
        with connect(proxy.address) as sock:
            assert recv_until_eof(sock) == b"x" * 10
    assert (0, "<-", "close") in proxy.recording.events()


def test_reset_after_sends_an_rst_after_n_bytes():
    with scripted_server(b"x" * 100, then="hold") as server, tcp_proxy(server, reset_after=10) as proxy:
        with connect(proxy.address) as sock:
            got = b""
            with pytest.raises(ConnectionResetError):
                while chunk := sock.recv(1024):
                    got += chunk
            assert got == b"x" * 10
    assert proxy.recording.events() == [(0, "->", "connect"), (0, "<-", "reset")]


def test_half_close_ends_one_direction_and_the_client_can_still_send():
    received, done = [], threading.Event()

    def server_side(conn, addr):
        conn.sendall(b"abcdefgh")
        received.append(recv_until_eof(conn))
        done.set()

    with tcp_server(server_side) as server, tcp_proxy(server, half_close_after=4) as proxy:
        with connect(proxy.address) as sock:
            assert recv_until_eof(sock) == b"abcd"  # EOF after 4 bytes...
            sock.sendall(b"still talking")          # ...yet the other direction still works
            sock.shutdown(socket.SHUT_WR)
            assert done.wait(2)
    assert received == [b"still talking"]
    events = proxy.recording.events()
    assert (0, "<-", "half_close") in events and (0, "->", "close") in events


@pytest.mark.parametrize("knob, outcome", [("close_after", "eof"), ("reset_after", "reset")])
def test_close_and_reset_towards_the_server(knob, outcome):
    results, done = [], threading.Event()

    def server_side(conn, addr):
        data = b""
        try:
            while chunk := conn.recv(1024):
                data += chunk
            results.append((data, "eof"))
        except ConnectionResetError:
            results.append((data, "reset"))
        done.set()

    with tcp_server(server_side) as server, tcp_proxy(server, direction="to_server", **{knob: 4}) as proxy:
        with connect(proxy.address) as sock:
            sock.sendall(b"abcdefgh")
            assert done.wait(2)
    assert results == [(b"abcd", outcome)]


def test_a_server_reset_reaches_the_client_as_a_reset():
    with scripted_server(b"bye", then="reset", read_first=1) as server, tcp_proxy(server) as proxy:
        with connect(proxy.address) as sock:
            sock.sendall(b"?")
            got = b""
            with pytest.raises(ConnectionResetError):
                while chunk := sock.recv(1024):
                    got += chunk
    assert proxy.recording.wait_for(lambda chunks: any(c.event == "reset" for c in chunks))
    assert (0, "<-", "reset") in proxy.recording.events()


def test_nobody_behind_the_proxy_means_a_reset():
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        dead = placeholder.getsockname()
    with tcp_proxy(dead) as proxy:
        # The reset may reach the client while connect() still waits (timeout mode polls for the
        # handshake's end), or at its first recv(): either way the client sees a reset.
        with pytest.raises(ConnectionResetError):
            with connect(proxy.address) as sock:
                sock.recv(1024)
    assert proxy.recording.events() == [(0, "->", "connect"), (0, "<-", "reset")]


# --- TCP: many connections, bookkeeping, clean exit ---------------------------------------


def test_many_connections_at_once_each_get_their_own_bytes_back():
    messages = [bytes([65 + k % 26]) * 150 + b"%03d" % k for k in range(20)]
    with echo_server() as server, tcp_proxy(server, chunk="random", direction="both", seed=3) as proxy:
        socks = [connect(proxy.address) for _ in messages]
        try:
            for sock, message in zip(socks, messages):
                sock.sendall(message)
            for sock, message in zip(socks, messages):
                got = b""
                while len(got) < len(message):
                    got += sock.recv(4096)
                assert got == message
        finally:
            for sock in socks:
                sock.close()
    recording = proxy.recording
    assert proxy.connections == 20 and sorted(recording.conns) == list(range(20))
    assert sorted(recording.data("->", conn) for conn in recording.conns) == sorted(messages)
    assert all(recording.events(conn)[0] == (conn, "->", "connect") for conn in recording.conns)


def test_recording_to_text_shows_both_directions():
    with echo_server() as server, tcp_proxy(server) as proxy:
        with connect(proxy.address) as sock:
            sock.sendall(b"USER student\r\n")
            assert recv_line(sock) == b"USER student\r\n"
    text = proxy.recording.to_text()
    assert "#0 -> " in text and "#0 <- " in text and "b'USER student\\r\\n'" in text


@pytest.mark.parametrize("knobs", [
    {"chunk": 0}, {"chunk": "big"}, {"direction": "sideways"}, {"close_after": -1}, {"gap": -1.0},
    {"coalesce": "yes"},
])
def test_bad_knobs_are_refused_by_name(knobs):
    name, value = next(iter(knobs.items()))
    with pytest.raises(ValueError, match=name):
        with tcp_proxy(("127.0.0.1", 9), **knobs):
            pass


def test_exit_is_prompt_and_leaves_nothing_even_with_a_stalled_connection():
    before = snapshot()
    with echo_server() as server:
        with tcp_proxy(server, stall_after=1) as proxy:
            client = connect(proxy.address)
            client.sendall(b"hi")
            assert proxy.recording.wait_for(lambda chunks: any(c.data == b"h" for c in chunks))
            started = time.monotonic()
        assert time.monotonic() - started < 1.0
    client.close()
    assert leftovers(before) == []


# --- UDP ---------------------------------------------------------------------------------


class Receiver:
    """A UDP echo handler that remembers what arrived, in order."""

    def __init__(self):
        self.seen = []
        self.changed = threading.Condition()

    def __call__(self, data, addr):
        with self.changed:
            self.seen.append(data)
            self.changed.notify_all()
        return data

    def wait_for_count(self, count, timeout=2.0):
        with self.changed:
            return self.changed.wait_for(lambda: len(self.seen) >= count, timeout)


def lossy_run(seed, count=30, **faults):
    """Send ``count`` datagrams through a lossy proxy; the report and what the server saw."""
    receiver = Receiver()
    with udp_server(receiver) as server, udp_proxy(server, seed=seed, **faults) as proxy:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.bind(("127.0.0.1", 0))
            for index in range(count):
                client.sendto(b"datagram %02d" % index, proxy.address)
            assert proxy.wait_for(lambda report: len(report.payloads) == count)
            report = proxy.report
            expected = len(report.forwarded) + len(report.duplicated)
            assert receiver.wait_for_count(expected)
            assert proxy.wait_for(lambda report: report.replies == expected)
            report = proxy.report
    return report, receiver.seen


def test_lossy_udp_report_matches_what_the_receiver_saw():
    report, seen = lossy_run(seed=7, count=40, drop=0.2, duplicate=0.2, reorder=0.2)
    assert report.dropped and report.duplicated and report.reordered  # seed 7 does all three
    assert sorted(report.forwarded + report.dropped) == list(range(40))
    assert not set(report.forwarded) & set(report.dropped)
    assert set(report.duplicated) <= set(report.forwarded) and set(report.reordered) <= set(report.forwarded)
    expected = collections.Counter(report.payloads[i] for i in report.forwarded + report.duplicated)
    assert collections.Counter(seen) == expected
    assert len(seen) == len(report.forwarded) + len(report.duplicated)
    for index in report.reordered:  # a held datagram arrives after the next one that was not held
        later = [j for j in report.forwarded if j > index and j not in report.reordered]
        if later:
            assert seen.index(report.payloads[later[0]]) < seen.index(report.payloads[index])
    assert report.replies == len(seen)


def test_same_seed_same_report_other_seed_other_report():
    faults = {"drop": 0.25, "duplicate": 0.25, "reorder": 0.25}
    first, _ = lossy_run(seed=5, **faults)
    again, _ = lossy_run(seed=5, **faults)
    other, _ = lossy_run(seed=6, **faults)
    assert again == first
    assert (other.dropped, other.duplicated, other.reordered) != (first.dropped, first.duplicated, first.reordered)


def test_datagram_fate_depends_on_seed_and_index_only():
    faults = UDPFaults(drop=0.5, duplicate=0.5, reorder=0.5, seed=11)
    assert [datagram_fate(faults, i) for i in range(50)] == [datagram_fate(faults, i) for i in range(50)]
    assert all(datagram_fate(UDPFaults(drop=1.0), i).dropped for i in range(20))
    assert not any(datagram_fate(UDPFaults(), i).dropped for i in range(20))
    assert [datagram_fate(UDPFaults(drop_first=3), i).dropped for i in range(5)] == [True] * 3 + [False] * 2


def test_drop_first_forces_a_client_to_retransmit():
    with udp_server(lambda data, addr: b"reply to " + data) as server, udp_proxy(server, drop_first=2) as proxy:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.settimeout(0.1)
            for attempt in range(1, 6):
                client.sendto(b"time?", proxy.address)
                try:
                    reply = client.recv(1024)
                    break
                except TimeoutError:
                    continue
    assert (attempt, reply) == (3, b"reply to time?")
    report = proxy.report
    assert (report.dropped, report.forwarded, report.replies) == ((0, 1), (2,), 1)
    assert str(report).splitlines() == ["#0 b'time?': dropped", "#1 b'time?': dropped", "#2 b'time?': forwarded"]


def test_delay_holds_every_datagram():
    with udp_server(lambda data, addr: data) as server, udp_proxy(server, delay=0.15) as proxy:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.settimeout(2)
            started = time.monotonic()
            client.sendto(b"ping", proxy.address)
            assert client.recv(1024) == b"ping"
            assert time.monotonic() - started >= 0.15
    assert [(c.direction, c.data) for c in proxy.recording.chunks] == [("->", b"ping"), ("<-", b"ping")]


@pytest.mark.parametrize("knobs", [{"drop": 1.5}, {"reorder": -0.1}, {"delay": -1}, {"drop_first": -2}])
def test_bad_udp_knobs_are_refused_by_name(knobs):
    name = next(iter(knobs))
    with pytest.raises(ValueError, match=name):
        with udp_proxy(("127.0.0.1", 9), **knobs):
            pass


def test_udp_exit_is_prompt_with_datagrams_still_waiting():
    before = snapshot()
    with udp_server(lambda data, addr: data) as server:
        with udp_proxy(server, delay=30) as proxy:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
                client.sendto(b"late", proxy.address)
                assert proxy.wait_for(lambda report: report.forwarded == (0,))
            started = time.monotonic()
        assert time.monotonic() - started < 1.0
    assert leftovers(before) == []
