"""Hidden checks for notebook 05 (UDP and NTP): what ``check_x_hidden`` adds to ``check_x``.

Instructor only (see ``netkit/hidden/__init__.py``): edge times on both sides of 2036, every
header field, forged and late replies, a kiss-o'-death, a server clock in 2040, junk for the
server and a server in 2100, late echoes and stray datagrams for the pinger, host names;
``ntplib`` and netkit.sntp's helpers are forbidden (``FORBIDDEN``).
"""

import contextlib
import random
import struct
import threading
import time

from .. import sntp
from ..servers import UDPServer
from ..checks._base import check, fail, show_bytes
from ..checks._harness import forbidden_uses
from ..checks.ntp import (
    ERA1_START, HINT_SERVER, KISS_OF_DEATH, _Clock, _STAMP_AT, _answer_case, _ask_clients, _cases, _check_parser,
    _check_request, _client_request, _dump, _era_server, _exchange, _give_up_case, _judge_ping, _ntplib_accepts,
    _packet, _ping_outcome, _plural, _proxy_case, _refusal_case, _request_raised, _ntp_server, _server_died,
    _start_server, _unix, _when,
)

__all__ = [
    "check_build_request_hidden",
    "check_parse_reply_hidden",
    "check_sntp_query_hidden",
    "check_ntp_server_hidden",
    "check_ping_hidden",
]


FORBIDDEN = ("ntplib", "netkit.sntp")   # the exercises are to write what these do


def _forbid_helpers(func, what):
    """Fail if ``func`` (or a helper of the student's it calls) uses ntplib or netkit.sntp."""
    used = sorted({use.name for use in forbidden_uses(func, FORBIDDEN)})
    if used:
        fail(f"{what} uses {', '.join(used)}, which already does this exercise's work.",
             expected="your own code over the bytes (struct or int.from_bytes/to_bytes)",
             hint="the exercise is to build and read the packet yourself; ntplib and netkit.sntp are "
                  "for the demos and for checking, not for the solution")


@check
def check_build_request_hidden(build_request):
    """Edge times (fraction rounding up to a whole second, the Unix epoch, both sides of 2036-02-07
    06:28:16, 2100) and random times from 1970 to 2103."""
    _forbid_helpers(build_request, "build_request")
    rng = random.Random(5)
    times = [0.0, 0.5, 0.9999999999, 1_600_000_000.9999998, 1_999_999_999.000001, 86400 * 365.25 * 50 + 0.75,
             time.time(), ERA1_START - 0.5, float(ERA1_START), ERA1_START + 0.25, ERA1_START - 0.0000000001,
             4_102_444_800.5] + [rng.uniform(0, 4_200_000_000) for _ in range(200)]
    results = _cases(build_request, [(t,) for t in times], forbid=FORBIDDEN)
    for t, result in zip(times, results):
        if result.raised:
            _request_raised(t, result)
        _check_request(t, result.value, f"build_request({t!r})")


@check
def check_parse_reply_hidden(parse_reply):
    """Every leap/version/mode, extreme fractions, trailing bytes, random packets; no ntplib."""
    _forbid_helpers(parse_reply, "parse_reply")
    rng = random.Random(55)

    def stamp():   # both eras: 1968-2036 (top bit set) and 2036-2104 (clear)
        return (rng.randrange(1, 2**32), rng.choice([0, 1, 2**31, 2**32 - 1, rng.randrange(2**32)]))

    packets = [_packet(leap, version, mode, rng.randrange(256), {n: stamp() for n in _STAMP_AT})
               for leap in range(4) for version in range(8) for mode in range(8)]
    packets += [_packet(0, 4, 4, 1, {n: stamp() for n in _STAMP_AT}, trailer=bytes(rng.randrange(1, 80)))
                for _ in range(20)]
    edges = {"reference": (0xFFFFFFFF, 2**32 - 1), "originate": (0, 1), "receive": (0x7FFFFFFF, 5),
             "transmit": (0x80000000, 0)}     # the last instants of era 0 and era 1, the first of each
    packets.append(_packet(0, 4, 4, 1, edges))
    shorts = [bytes(1), bytes(40), _packet(0, 4, 4, 1, {})[:47]]
    _check_parser(parse_reply, packets, shorts, forbid=FORBIDDEN)


HOLD = 0.5
IN_2040 = 2_208_988_800.0     # 2040-01-01 00:00 UTC: era 1


@check
def check_sntp_query_hidden(sntp_query):
    """Stale, truncated and mode-3 replies, a busy server, a kiss-o'-death, a server in 2040 asked by
    name, a flood of junk that must not delay giving up."""
    _answer_case(sntp_query, offset=-7.25, before=("stale",), timeout=0.5, tries=2)
    _answer_case(sntp_query, offset=3.0, before=("short",), timeout=0.5, tries=2)
    _answer_case(sntp_query, offset=3.0, before=("mode3",), timeout=0.5, tries=2)
    _answer_case(sntp_query, offset=100.0, hold=HOLD, timeout=1.0, tries=2,
                 what=f" (the server held the request {HOLD} s)")
    _refusal_case(sntp_query, header=KISS_OF_DEATH,
                  what="stratum 0, a kiss-o'-death with kiss code 'RATE' in bytes 12-15 (and leap 3)",
                  code="RATE")
    _answer_case(sntp_query, offset=IN_2040 - time.time(), timeout=0.5, tries=2, host="localhost",
                 what=f" (the server's clock reads {_when(IN_2040)[:10]}, in era 1)")
    _give_up_case(sntp_query, timeout=0.15, tries=3, flood=0.05)


_JUNK = (  # (datagram, what it is): a server ignores each and keeps serving
    (sntp.reply(sntp.request(1.7e9), 1.7e9, 1.7e9).pack(), "a mode-4 packet (another server's reply)"),
    (sntp.request(1.7e9).pack()[:47], "a 47-byte request"),
    (b"hi", "a 2-byte datagram"),
    (b"", "an empty datagram"),
)


IN_2100 = 4_102_444_800.0     # 2100-01-01 00:00 UTC: late in era 1


@check
def check_ntp_server_hidden(make_ntp_socket, serve_ntp):
    """Version 3 and 4, header fields, requests with a MAC after byte 48, junk and replies ignored,
    many requests from one client; a server bound to 'localhost' whose clock reads 2100."""
    clock = _Clock(-17_636.25)
    rng = random.Random(44)
    with _ntp_server(make_ntp_socket, serve_ntp, clock, deadline=20.0) as handle:
        address = _start_server(handle)
        for version in (3, 4):
            requests = [_client_request(rng, version) for _ in range(20)]
            for data in _ask_clients(handle, address, clock, requests, f"20 version-{version} requests"):
                leap, stratum = data[0] >> 6, data[1]
                if leap == 3 or not 1 <= stratum <= 15:
                    fail(f"Your server's reply says leap {leap}, stratum {stratum}.",
                         expected="leap 0 and stratum 1 (clients reject leap 3, 'clock not synchronised', "
                                  "and stratum 0, 'kiss-o'-death')", trace=_dump(data), hint=HINT_SERVER)
                receive, transmit = (_unix(*struct.unpack_from("!II", data, o)) for o in (32, 40))
                if receive > transmit + 1e-6:
                    fail("Your server's receive timestamp is later than its transmit timestamp.",
                         trace=_dump(data), hint="stamp receive when the request arrives, transmit just before sendto")
        _ntplib_accepts(handle, address, clock, version=3)
        for junk, what in _JUNK:
            request = _client_request(rng)
            ex = _exchange(address, [[junk, request]], clock)
            replies = ex.got[0]
            if len(replies) > 1 or (replies and replies[0][0][24:32] != request[40:48]):
                fail(f"Your server answered {what}.", sent=show_bytes(junk, 24), trace=_dump(replies[0][0]),
                     hint="answer only datagrams of 48 bytes or more in mode 3; a server that answers replies "
                          "could play ping-pong forever with another server")
            if not replies:
                _server_died(handle, f"after it was sent {what}")
                fail(f"After {what}, your server did not answer a valid request, though it was still running.",
                     sent=f"{what}: {show_bytes(junk, 24)}, then a request", expected="a reply to the request",
                     hint="likely causes: that datagram left your loop waiting for something else (another "
                          "recvfrom, more bytes), or the request after it was skipped with it. Skip (continue) "
                          "datagrams that are not requests, and answer the next one as usual; never stop serving")
        requests = [_client_request(rng) for _ in range(20)]
        ex = _exchange(address, [requests], clock)
        answered = {data[24:32] for data, _ in ex.got[0]}
        missing = [i for i, r in enumerate(requests) if r[40:48] not in answered]
        if missing:
            _server_died(handle, "during 20 requests from one client")
            fail(f"One client sent 20 requests in a row; {len(missing)} got no reply (#{missing[0]}, ...), though "
                 "your server was still running.",
                 expected="20 replies", got=_plural(len(ex.got[0]), "reply", "replies"),
                 hint="each request gets its own reply, also from a client already answered: a server that "
                      "remembers its clients, or reads several datagrams per reply, misses some. " + HINT_SERVER)
        signed = [_client_request(rng) + struct.pack("!I", rng.randrange(1, 2**16)) + rng.randbytes(16)
                  for _ in range(5)]
        _ask_clients(handle, address, clock, signed, "5 requests of 68 bytes, 48 + a 20-byte key ID and MAC",
                     died="a request of 48 bytes or more is valid, and what follows its 48th byte (NTPv4 "
                          "extension fields, a key ID and MAC) is not for this server: read data[:48] (or "
                          "struct.unpack_from), never the whole datagram with a 48-byte format")
        _server_died(handle, "after answering")
    _era_server(make_ntp_socket, serve_ntp, IN_2100, rng, clients=5, host="localhost")


class _ScriptedEcho(UDPServer):
    """An echo server whose misbehaviour is configuration, by arrival index (0 = the first datagram):

    delay   {i: s}            hold arrival i s seconds before echoing it; the serve thread
                              waits, so the arrivals behind it wait too
    drop    {i, ...}          never echo arrival i
    later   {i: [(s, j), ...]}  instead of echoing arrival i at once, send arrival j's bytes
                              s seconds after arrival i (j == i: a late echo; j < i: a
                              duplicate of an earlier echo), from the server's port, while
                              the serve thread goes on echoing

    ``seen`` keeps every arrival's bytes. Use it as ``with _ScriptedEcho(...) as address``.
    """

    def __init__(self, delay=None, drop=(), later=None):
        super().__init__(self._arrived)
        self.delay, self.drop, self.later = dict(delay or {}), set(drop), dict(later or {})
        self.seen = []
        self._timers = []

    def _arrived(self, data, addr):
        index = len(self.seen)
        self.seen.append(data)
        for after, which in self.later.get(index, ()):
            timer = threading.Timer(after, self._send, (which, addr))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
        if index in self.drop or index in self.later:
            return None
        if index in self.delay:
            self.stopping.wait(self.delay[index])
        return data

    def _send(self, which, addr):
        if not self.stopping.is_set():
            with contextlib.suppress(OSError):   # the pinger may have gone: nothing to tell it
                self._sock.sendto(self.seen[which], addr)

    def _stop_handlers(self):
        for timer in self._timers:
            timer.cancel()
            timer.join()


def _late_case(ping, count=8, timeout=0.2, host="localhost"):
    """Called with a host name: ping 3's echo comes late, during ping 4; ping 5 is never echoed."""
    late = 1.5 * timeout  # half a timeout of margin either way, for a busy machine
    server = _ScriptedEcho(delay={3: late}, drop={5})
    with server as echo:
        outcome = _ping_outcome(ping, echo, count, timeout, host=host)
    called = (host, echo[1])
    label = f"ping({called!r}, count={count}, timeout={timeout})"
    trace = f"the echo server answered ping 3 only after {late:g} s (too late), and never answered ping 5"

    def cause(i):
        return (f"The late echo of ping {i - 1} arrived while you waited for ping {i}, and you took it "
                f"for ping {i}'s echo." if i == 5 else "")

    _judge_ping(outcome, label, count, timeout, {3, 5}, trace, len(server.seen), cause, called=called,
                address=tuple(echo))


def _stray_case(ping, count=4, timeout=0.2):
    """Ping 1's echo comes after 1.5 x timeout, and copies of ping 0's echo arrive meanwhile.

    A pinger whose wait for ping i ends at sent_at + timeout reports ping 1 lost; one that
    gives every recvfrom the whole timeout again is still waiting when the late echo comes.
    The schedule is fixed (no randomness): strays at 0.5 and 1.0 x timeout, the echo at 1.5.
    """
    strays, echo_at = (0.5 * timeout, 1.0 * timeout), 1.5 * timeout
    server = _ScriptedEcho(later={1: [(at, 0) for at in strays] + [(echo_at, 1)]})
    with server as echo:
        outcome = _ping_outcome(ping, echo, count, timeout)
    label = f"ping(<echo>, count={count}, timeout={timeout})"
    shown = " and ".join(f"{at:g} s" for at in strays)
    trace = (f"the echo server answered ping 1 only after {echo_at:g} s (too late), and sent a copy of "
             f"ping 0's echo again {shown} after ping 1 arrived")

    def cause(i):
        return (f"Copies of ping 0's echo arrived {shown} after ping 1 was sent, and you took one for "
                f"ping 1's echo." if i == 1 else "")

    story = (f"Copies of ping 0's echo (duplicates, as a network may deliver) arrived {shown} after ping 1 was "
             "sent: a recvfrom that waits the whole timeout again after each of them is still waiting when the "
             "late echo comes.")
    _judge_ping(outcome, label, count, timeout, {1}, trace, len(server.seen), cause, late={1: (echo_at, story)})


PING_HIDDEN = {"count": 12, "timeout": 0.15, "seed": 8, "drop": 0.3, "duplicate": 0.7}  # drops 7, 11; dups 2, 4, 5, 9


@check
def check_ping_hidden(ping):
    """A late echo during the next ping, stray datagrams while an echo is late, heavy duplication."""
    _late_case(ping)
    _stray_case(ping)
    _proxy_case(ping, **PING_HIDDEN)
