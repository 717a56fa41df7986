"""The checks of notebook 02 accept every correct solution and reject each classic mistake
with the message a student would read (tests/solutions/tcpudp/)."""

import socket

import pytest

from netkit.checks import tcpudp as checks
from netkit.errors import CheckFailed
from netkit.hidden import tcpudp as hidden
from netkit.proxies import udp_proxy
from netkit.servers import udp_server
from tests.solutions.tcpudp import right_select, right_tables, wrong_link, wrong_names, wrong_probes

EXERCISES = ("port_range", "lookup_service", "ipv4_addresses", "probe_tcp", "probe_udp", "classify_arrivals",
             "measure_link")


@pytest.fixture(autouse=True)
def short_grace(monkeypatch):
    """A stuck probe is stopped 0.8 s after its timeout instead of 2 s: same messages, faster tests."""
    monkeypatch.setattr(checks, "GRACE", 0.8)


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("solution", [right_tables, right_select], ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_a_right_solution_passes_every_check(solution, exercise):
    getattr(checks, f"check_{exercise}")(getattr(solution, exercise))
    getattr(hidden, f"check_{exercise}_hidden")(getattr(solution, exercise))


def _message(exercise, wrong, visible):
    """The message of the first check that fails; the visible one must pass when ``visible`` is False."""
    visible_check = getattr(checks, f"check_{exercise}")
    hidden_check = getattr(hidden, f"check_{exercise}_hidden")
    if not visible:
        visible_check(wrong)
    with pytest.raises(CheckFailed) as info:
        (visible_check if visible else hidden_check)(wrong)
    return str(info.value)


# (exercise, wrong solution, caught by the visible check?, texts the student reads)
WRONG = [
    ("port_range", wrong_names.range_1023_registered, True,
     ["port_range(1023) named the wrong range", "expected: 'well-known'",
      "1023 is right at the edge of a range; check < versus <=", "well-known 0-1023"]),
    ("port_range", wrong_names.range_49152_registered, True,
     ["port_range(49152) named the wrong range", "expected: 'dynamic'", "check < versus <="]),
    ("port_range", wrong_names.range_49151_dynamic, True,
     ["port_range(49151) named the wrong range", "expected: 'registered'", "right at the edge of a range"]),
    ("port_range", wrong_names.range_lecture_split, True,
     ["port_range(8080) named the wrong range", "the lecture's old two-way split", "RFC 6335"]),
    ("port_range", wrong_names.range_no_upper_limit, True,
     ["port_range(65536) should raise ValueError (a port is 0 to 65535), but it returned 'dynamic'"]),
    ("port_range", wrong_names.range_none_outside, True, ["port_range(-1) should raise ValueError", "returned None"]),
    ("lookup_service", wrong_names.lookup_lets_oserror_escape, True,
     ["lookup_service('no-such-service', 'tcp') on this machine's /etc/services let getservbyname's error escape",
      "got:      raised OSError: service/proto not found", "catch the OSError and raise LookupError"]),
    ("lookup_service", wrong_names.lookup_returns_none, True,
     ["should raise LookupError (there is no tcp service called 'no-such-service'), but it returned None"]),
    ("lookup_service", wrong_names.lookup_ignores_protocol, False,
     ["lookup_service('ntp', 'tcp') on a small /etc/services", "ntp 123/udp", "but it returned 123",
      "the port of 'ntp' for another protocol; pass the protocol to getservbyname"]),
    ("lookup_service", wrong_names.lookup_vague_error, True,
     ["raised LookupError, but its message does not say which service and protocol were not found",
      "got:      raised LookupError: not found"]),
    ("ipv4_addresses", wrong_names.addresses_keeps_ipv6, True,
     ["ipv4_addresses('www.example.test') returned the wrong list (a name with IPv4 and IPv6 records)",
      "AF_INET6  2001:db8::10", "expected: ['192.0.2.10', '192.0.2.20', '198.51.100.7']",
      "it contains IPv6 addresses: keep only family AF_INET"]),
    ("ipv4_addresses", wrong_names.addresses_no_dedupe, True,
     ["it repeats an address: getaddrinfo returns one tuple per socket type"]),
    ("ipv4_addresses", wrong_names.addresses_sorted_set, False,
     ["ipv4_addresses('mirror.example.test') returned the wrong list (eight addresses, unsorted)",
      "the right addresses in another order: keep the resolver's order"]),
    ("ipv4_addresses", wrong_names.addresses_sockaddrs, True, ["it holds tuples: take the address, sockaddr[0]"]),
    ("ipv4_addresses", wrong_names.addresses_swallows_errors, False,
     ["ipv4_addresses('no-such-host.example.test') should let socket.gaierror through (the name does not exist), "
      "but it returned []", "do not catch getaddrinfo's error"]),
    ("ipv4_addresses", wrong_names.addresses_gethostbyname_ex, True,
     ["raised RuntimeError: socket.gethostbyname_ex is obsolete"]),
    ("probe_tcp", wrong_probes.tcp_no_timeout, True,
     ["did not finish within 1.1 s: stuck in connect()", "the port: a listener whose accept queue is full",
      "expected: 'silent' within 0.3 s", "Hint: a port that never answers keeps connect() or recv() waiting"]),
    ("probe_tcp", wrong_probes.tcp_refused_as_silent, True,
     ["returned 'silent', but the port is 'closed'", "the kernel answered the SYN with an RST",
      "connect() was refused at once (an RST came back), it did not time out",
      "ConnectionRefusedError is an OSError too: an `except OSError` (or a bare except) that answers 'silent' "
      "catches it as well"]),
    ("probe_tcp", wrong_probes.tcp_timeout_as_closed, True,
     ["returned 'closed', but the port is 'silent'", "the whole timeout: connect() got no answer and timed out",
      "an `except OSError` placed before `except TimeoutError` catches the timeout as well"]),
    ("probe_tcp", wrong_probes.tcp_connect_ex_nonzero_is_closed, True,
     ["returned 'closed', but the port is 'silent'", "the whole timeout: connect() got no answer and timed out",
      "connect_ex returns errno.ECONNREFUSED for it, and for a timeout errno.EAGAIN (11)"]),
    ("probe_tcp", wrong_probes.tcp_never_closes, True,
     ["answered 'open' rightly and returned, but never closed its socket (the exercise says: close the socket",
      "got:      ResourceWarning: unclosed <socket.socket", "`with socket.socket(...) as sock:`",
      "call sock.close() in a `finally:`"]),
    ("probe_tcp", wrong_probes.tcp_waits_for_data, True,
     ["returned 'silent', but the port is 'open'", "never says a word (netkit's nop_server)",
      "the port is open once connect() succeeds"]),
    ("probe_tcp", wrong_probes.tcp_own_timeout, True, ["stuck in create_connection()"]),
    ("probe_udp", wrong_probes.udp_unconnected, True,
     ["returned 'silent', but the port is 'refused'", "ICMP 'port unreachable'",
      "the whole timeout: nothing reached it", "unconnected socket (sendto/recvfrom) never hears the ICMP error"]),
    ("probe_udp", wrong_probes.udp_refused_as_silent, True,
     ["returned 'silent', but the port is 'refused'", "well before the timeout: the ICMP error did reach it",
      "catch ConnectionRefusedError on its own first"]),
    ("probe_udp", wrong_probes.udp_no_timeout, True,
     ["stuck in recv()", "the port: a UDP server receives every datagram and never answers"]),
    ("probe_udp", wrong_probes.udp_short_timeout, False,
     ["probe_udp('127.0.0.1'", "timeout=0.8) returned 'silent', but the port is 'answers'",
      "a UDP server answers after 0.3 s", "before the server had answered, though the timeout was 0.8 s",
      "wait as long as `timeout` says, not less"]),
    ("probe_udp", wrong_probes.udp_own_echo_only, False,
     ["probe_udp('127.0.0.1'", "returned 'silent', but the port is 'answers'",
      "the server received b'probe' (5 bytes) and answered b'pong' (4 bytes)", "so it had the answer and did not "
      "count it", "the answer was not your own datagram sent back: any datagram that comes back is an answer"]),
    ("probe_udp", wrong_probes.udp_sender_is_host, False,
     ["probe_udp('localhost'", "returned 'silent', but the port is 'answers'", "so it had the answer and did not "
      "count it", "you were given the name 'localhost', and replies come from the address '127.0.0.1'"]),
    ("classify_arrivals", wrong_link.arrivals_duplicate_as_reordered, True,
     ["classify_arrivals(5, [0, 1, 1, 2, 3, 4]) got 'reordered' wrong", "a duplicate's second copy is not a reordering"]),
    ("classify_arrivals", wrong_link.arrivals_previous_only, True,
     ["classify_arrivals(6, [0, 3, 1, 2, 4, 5]) got 'reordered' wrong", "expected: reordered=[1, 2]"]),
    ("classify_arrivals", wrong_link.arrivals_blames_the_overtaker, True,
     ["classify_arrivals(5, [0, 2, 1, 3, 4]) got 'reordered' wrong", "got:      reordered=[2]"]),
    ("classify_arrivals", wrong_link.arrivals_every_extra_copy, False,
     ["classify_arrivals(3, [2, 2, 2]) got 'duplicated' wrong", "list each once, in increasing order"]),
    ("classify_arrivals", wrong_link.arrivals_lost_by_count, True, ["got 'lost' wrong", "got:      lost=0"]),
    ("measure_link", wrong_link.link_stops_after_count, True,
     ["returned the wrong arrivals", "it stopped reading too early (after `count` answers?"]),
    ("measure_link", wrong_link.link_total_deadline, False,
     ["with an echo server that answers every 0.08 s returned the wrong arrivals", "of 6; it stopped reading too early",
      "`timeout` is the silence that ends the reading, not the total time for it"]),
    ("measure_link", wrong_link.link_binary_numbers, True,
     ["did not send the numbered datagrams exercise 7 asks for", "sent:     30 datagrams: [b'\\x00\\x00\\x00\\x00'",
      "expected: 30 datagrams: [b'0', b'1'"]),
    ("measure_link", wrong_link.link_sender_is_address, False,
     ["measure_link(('localhost', ", "returned the wrong arrivals", "none of the 10 echoes counted. They came from "
      "127.0.0.1:", "you were given the name 'localhost'"]),
    ("measure_link", wrong_link.link_sorted, True,
     ["the right numbers in another order; return them in the order they arrived"]),
]


@pytest.mark.parametrize("exercise, wrong, visible, texts", WRONG, ids=[w[1].__name__ for w in WRONG])
def test_a_classic_mistake_fails_with_its_lesson(exercise, wrong, visible, texts):
    message = _message(exercise, wrong, visible)
    for text in texts:
        assert text in message, message


def test_the_hidden_check_catches_a_link_that_waits_for_every_answer():
    message = _message("measure_link", wrong_link.link_no_timeout, True)
    assert "stopped reading too early" in message
    with pytest.raises(CheckFailed, match=r"drop_first=10\):\nit did not finish within 2.0 s: stuck in recv\(\)"):
        hidden.check_measure_link_hidden(wrong_link.link_no_timeout)


def test_a_missing_solution_says_not_written_yet():
    def probe_tcp(host, port, timeout=1.0):
        raise NotImplementedError()

    def measure_link(address, count, timeout=0.5):
        raise NotImplementedError()

    for check, func in ((checks.check_probe_tcp, probe_tcp), (checks.check_measure_link, measure_link),
                        (checks.check_port_range, lambda port: (_ for _ in ()).throw(NotImplementedError()))):
        with pytest.raises(CheckFailed, match="is not written yet"):
            check(func)


# ---------------------------------------------------------------------------------------
# The tools the checks stand on


def test_full_backlog_server_drops_syns_and_closed_port_refuses():
    with checks.full_backlog_server() as address, socket.socket() as sock:
        sock.settimeout(0.2)
        with pytest.raises(TimeoutError):
            sock.connect(address)
    with checks.closed_port() as address, socket.socket() as sock:
        sock.settimeout(1)
        with pytest.raises(ConnectionRefusedError):
            sock.connect(address)
    with checks.closed_port(socket.SOCK_DGRAM) as address, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(1)
        sock.connect(address)
        sock.send(b"x")
        with pytest.raises(ConnectionRefusedError):
            sock.recv(10)


@pytest.mark.parametrize("knobs", [{"drop": 0.2, "duplicate": 0.2, "reorder": 0.2},
                                   {"reorder": 0.5}, {"duplicate": 0.5, "drop": 0.3}])
def test_simulate_arrivals_matches_the_real_proxy_and_the_report(knobs):
    count = 40
    seed = checks.observable_seed(count, **knobs)
    with udp_server(lambda data, sender: data) as server, udp_proxy(server, seed=seed, **knobs) as proxy, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(proxy.address)
        for number in range(count):
            sock.send(str(number).encode())
        assert proxy.wait_for(lambda r: len(r.payloads) == count and r.replies >= len(r.forwarded) + len(r.duplicated))
        sock.settimeout(1)
        arrivals = [int(sock.recv(100)) for _ in range(proxy.report.replies)]
        report = proxy.report
    assert arrivals == checks.simulate_arrivals(count, seed=seed, **knobs)
    seen = checks.reference_classification(count, arrivals)
    assert seen == {"lost": list(report.dropped), "duplicated": list(report.duplicated),
                    "reordered": list(report.reordered)}


def test_a_connect_ex_probe_is_not_told_about_except_clauses():
    message = _message("probe_tcp", wrong_probes.tcp_connect_ex_nonzero_is_closed, True)
    assert "connect_ex returns errno.ECONNREFUSED" in message and "except" not in message, message
    message = _message("probe_tcp", wrong_probes.tcp_timeout_as_closed, True)
    assert "`except OSError` placed before `except TimeoutError`" in message and "connect_ex" not in message, message
