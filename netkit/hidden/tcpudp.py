"""Hidden checks for notebook 02 (TCP vs UDP, ports and names): what ``check_x_hidden`` adds to ``check_x``.

Instructor only (see ``netkit/hidden/__init__.py``): every edge and seeded random ports,
a fake /etc/services where the protocol matters, an unsorted resolver, probes of
greeting and slow servers, late and repeated arrivals, a lossy link with duplicates.
"""

import random
import socket

from ..ports import boundaries
from ..servers import nop_server, scripted_server, udp_server
from ..checks._base import check
from ..checks.tcpudp import (
    ARRIVAL_CASES, FAKE_HOSTS, Answers, FAKE_SERVICES, HINT_TCP, HINT_UDP, TCP_STORIES, UDP_STORIES, _check_arrivals,
    _check_link, _check_lookups, _check_names, _check_not_ports, _check_ranges, _expected_ipv4, _probe,
    closed_port, full_backlog_server, observable_seed, simulate_arrivals,
)

__all__ = [
    "check_port_range_hidden",
    "check_lookup_service_hidden",
    "check_ipv4_addresses_hidden",
    "check_probe_tcp_hidden",
    "check_probe_udp_hidden",
    "check_classify_arrivals_hidden",
    "check_measure_link_hidden",
]


@check
def check_port_range_hidden(port_range):
    """Hidden: every port next to an edge, 500 seeded random ports, far out of range."""
    edges = sorted({p + d for p in boundaries() for d in (-2, -1, 0, 1, 2) if 0 <= p + d <= 65535})
    rng = random.Random(2)
    _check_ranges(port_range, edges + [rng.randrange(65536) for _ in range(500)])
    _check_not_ports(port_range, [-2, -1024, 65537, 70000, 1 << 16 + 1, 1 << 32])


@check
def check_lookup_service_hidden(lookup_service):
    """Hidden: a small /etc/services where the protocol matters, the default protocol, no file."""
    lookups = [
        (("ftp",), 21), (("x11",), 6000), (("domain", "udp"), 53), (("domain", "tcp"), 53),
        (("exec", "tcp"), 512), (("biff", "udp"), 512), (("quake", "udp"), 26000),
        (("ntp", "tcp"), None), (("quake", "tcp"), None), (("x11", "udp"), None), (("gopher", "tcp"), None),
    ]
    _check_lookups(lookup_service, lookups, FAKE_SERVICES)
    _check_lookups(lookup_service, [(("ntp", "udp"), None), (("http",), None)], "missing")


@check
def check_ipv4_addresses_hidden(ipv4_addresses):
    """Hidden: eight addresses in the resolver's (unsorted) order, one address thrice, a literal, no such name."""
    _check_names(ipv4_addresses, [
        ("mirror.example.test", _expected_ipv4(FAKE_HOSTS["mirror.example.test"]), "eight addresses, unsorted"),
        ("one.example.test", ["192.0.2.1"], "one address, listed three times"),
        ("www.example.test", _expected_ipv4(FAKE_HOSTS["www.example.test"]), "IPv4 and IPv6 records"),
        ("192.0.2.99", ["192.0.2.99"], "an address is its own answer"),
        ("no-such-host.example.test", None, "the name does not exist"),
    ], True)


@check
def check_probe_tcp_hidden(probe_tcp):
    """Hidden: a server that greets, 'localhost' as the host, closed ports in a row, a shorter timeout."""
    with scripted_server(b"220 hello\r\n", then="hold") as address:
        _probe("probe_tcp", probe_tcp, address, 0.3, "open", TCP_STORIES["greets"], HINT_TCP)
    with nop_server() as address:
        _probe("probe_tcp", probe_tcp, address, 0.3, "open", TCP_STORIES["nop"], HINT_TCP, host="localhost")
    for _ in range(3):
        with closed_port() as address:
            _probe("probe_tcp", probe_tcp, address, 0.3, "closed", TCP_STORIES["closed"], HINT_TCP)
    with full_backlog_server() as address:
        _probe("probe_tcp", probe_tcp, address, 0.2, "silent", TCP_STORIES["silent"], HINT_TCP)


def _slow_echo(data, sender, _wait=0.3):
    import threading  # noqa: PLC0415  (only this handler waits)

    threading.Event().wait(_wait)  # a deliberate delay, not a wait for readiness
    return data


@check
def check_probe_udp_hidden(probe_udp):
    """Hidden: a slow answer within the timeout, 'localhost', an answer that is not the probe, closed ports, 0.2 s."""
    with udp_server(answers := Answers(_slow_echo)) as address:
        _probe("probe_udp", probe_udp, address, 0.8, "answers", UDP_STORIES["slow"], HINT_UDP, answers=answers)
    with udp_server(answers := Answers(lambda data, sender: data)) as address:
        _probe("probe_udp", probe_udp, address, 0.3, "answers", UDP_STORIES["echo"], HINT_UDP, host="localhost",
               answers=answers)
    with udp_server(answers := Answers(lambda data, sender: b"pong")) as address:
        _probe("probe_udp", probe_udp, address, 0.3, "answers", UDP_STORIES["other"], HINT_UDP, answers=answers)
    for _ in range(3):
        with closed_port(socket.SOCK_DGRAM) as address:
            _probe("probe_udp", probe_udp, address, 0.3, "refused", UDP_STORIES["closed"], HINT_UDP)
    with udp_server(lambda data, sender: None) as address:
        _probe("probe_udp", probe_udp, address, 0.2, "silent", UDP_STORIES["silent"], HINT_UDP)


ARRIVAL_CASES_HIDDEN = ARRIVAL_CASES + (
    (3, [0, 1, 0, 2], "datagram 0's second copy came late: only the first copy counts for reordering"),
    (2, [1, 0, 0], "datagram 0 was overtaken and duplicated"),
    (3, [2, 2, 2], "datagram 2 arrived three times: list it once"),
    (0, [], "nothing was sent"),
    (10, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], "everything arrived backwards"),
    (8, [0, 1, 2, 3, 5, 6, 7], "datagram 4 was lost: a gap is not a reordering"),
    (6, [1, 2, 0, 5, 3, 4], "two overtakings"),
)


@check
def check_classify_arrivals_hidden(classify_arrivals):
    """Hidden: late duplicates, triplicates, backwards, and 100 seeded simulations of udp_proxy."""
    rng = random.Random(8)
    simulated = []
    for seed in range(100):
        count = rng.randrange(1, 60)
        knobs = {"drop": rng.choice((0.0, 0.1, 0.3)), "duplicate": rng.choice((0.0, 0.1, 0.3)),
                 "reorder": rng.choice((0.0, 0.1, 0.3)), "seed": seed}
        simulated.append((count, simulate_arrivals(count, **knobs), f"udp_proxy({knobs})"))
    _check_arrivals(classify_arrivals, ARRIVAL_CASES_HIDDEN + tuple(simulated))


@check
def check_measure_link_hidden(measure_link):
    """Hidden: every datagram lost, 'localhost' as the host, 60 datagrams with many duplicates and everything else,
    a slow server."""
    _check_link(measure_link, 10, 0.3, drop_first=10)
    _check_link(measure_link, 10, 0.3, host="localhost")
    faults = {"drop": 0.2, "duplicate": 0.4, "reorder": 0.2}
    _check_link(measure_link, 60, 0.3, seed=observable_seed(60, start=11, **faults), **faults)
    _check_link(measure_link, 6, 0.25, paced=True)
