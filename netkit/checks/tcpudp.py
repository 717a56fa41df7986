"""Checks for notebook 02 (TCP vs UDP, ports and names): ranges, services, names, probes, a lossy link.

Each exercise has a visible check (``check_x``), which its test cell calls:

====================  ===========================  ===========================================
exercise              student writes               the check drives it with
====================  ===========================  ===========================================
1 port ranges         port_range(port)             IANA's table (``netkit.ports``), every edge
2 services            lookup_service(name, proto)  the real /etc/services, a fake one, none
3 names               ipv4_addresses(host)         ``localhost`` and a fake resolver (offline)
4 TCP probe           probe_tcp(host, port, t)     nop server, closed port, full backlog
5 UDP probe           probe_udp(host, port, t)     echo, closed port, a server that never answers
6 arrivals            classify_arrivals(n, seen)   tables and seeded simulations of udp_proxy
7 a lossy link        measure_link(addr, n, t)     an echo server behind ``udp_proxy``
====================  ===========================  ===========================================

Name lookups never leave the machine: in the child that runs the student's code,
``socket.getservbyname`` / ``getaddrinfo`` (and any copy of them in the student's
globals) are replaced by fakes that answer from a table, or fail as a machine without
``/etc/services`` does. Probes meet real sockets on loopback: "silent" TCP is a
listener whose accept queue is full (Linux then drops new SYNs), "refused" is a port
where nothing listens.
"""

import builtins
import contextlib
import errno
import io
import socket
import time

from ..errors import PeerError
from ..ports import IANA_RANGES, boundaries, range_of
from ..proxies import UDPFaults, datagram_fate, udp_proxy
from ..runner import run
from ..servers import nop_server, udp_server
from ._base import check, fail, fail_unclosed, show_bytes
from ._harness import names_used, not_written
from ._cases import describe_call, run_cases

__all__ = [
    "check_port_range",
    "check_lookup_service",
    "check_ipv4_addresses",
    "check_probe_tcp",
    "check_probe_udp",
    "check_classify_arrivals",
    "check_measure_link",
    "full_backlog_server",
    "closed_port",
    "simulate_arrivals",
    "reference_classification",
    "observable_seed",
]

DEADLINE = 3.0  # a batch of pure cases; correct code needs a few milliseconds
SLACK = 0.6  # how much longer than its timeout a probe may take (a loaded machine, a fork)
GRACE = 2.0  # past its timeout, how long a probe may run before it is stopped as stuck
PACE = 0.08  # a paced echo server (``paced=True``) answers this far apart
FILL_ATTEMPTS, FILL_PROBE = 16, 0.1  # full_backlog_server: connections tried, and how long each may wait

HINT_RANGES = ("IANA's table in part 2: well-known 0-1023, registered 1024-49151, dynamic 49152-65535, "
               "both ends included; a port is 16 bits, so anything outside 0-65535 is a ValueError.")
HINT_SERVICES = ("'Ports name services' in part 2: socket.getservbyname(name, protocol) reads /etc/services and "
                 "raises OSError('service/proto not found') when the entry, or the whole file, is missing.")
HINT_NAMES = ("'Names and addresses' in part 2: getaddrinfo returns one tuple per (family, socket type) "
              "combination; keep family AF_INET, take sockaddr[0], drop repeats, keep the resolver's order.")
HINT_TCP = ("'Probing a TCP port' in part 3: connect() succeeds on an open port (even if the server never "
            "speaks), raises ConnectionRefusedError at once on a closed one (an RST came back) and times out on a "
            "silent one (nothing came back): set a timeout before connecting.")
HINT_UDP = ("'Probing a UDP port' in part 3: only a *connected* UDP socket hears the ICMP 'port unreachable' "
            "that a closed port sends back, as ConnectionRefusedError on recv; an answer is 'answers', "
            "a timeout is 'silent'.")
HINT_ARRIVALS = ("the definitions of exercise 6: lost = never arrived; duplicated = arrived more than once; "
                 "reordered = its first copy arrived after a higher-numbered datagram had arrived. Each list "
                 "sorted, each number once.")
HINT_LINK = ("exercise 7: one connected UDP socket, send str(i).encode() for i in range(count), then recv "
             "until nothing arrives for `timeout` seconds; you cannot know how many will come back.")


def _indent(text, by="    "):
    return "\n".join(by + line for line in str(text).splitlines())


# ---------------------------------------------------------------------------------------
# Exercise 1: which range is a port in?


def _check_ranges(port_range, ports):
    __tracebackhide__ = True  # noqa: F841
    results = run_cases(port_range, [((p,), {}) for p in ports], name="port_range", deadline=DEADLINE,
                        hint=HINT_RANGES)
    for port, result in zip(ports, results):
        expected = range_of(port).name
        call = describe_call("port_range", (port,))
        if result.raised:
            fail(f"{call} raised an error for a valid port.", expected=repr(expected), got=str(result),
                 hint=HINT_RANGES)
        if result.value != expected:
            got = repr(result.value)
            if result.value in {r.name for r in IANA_RANGES} and any(abs(port - e) <= 1 for e in boundaries()):
                got += f": {port} is right at the edge of a range; check < versus <="
            elif result.value == "dynamic" and expected == "registered":
                got += (": that is the lecture's old two-way split (1024-65535 dynamic); "
                        "IANA has three ranges since RFC 6335")
            fail(f"{call} named the wrong range.", expected=repr(expected), got=got, hint=HINT_RANGES)


def _check_not_ports(port_range, ports):
    __tracebackhide__ = True  # noqa: F841
    results = run_cases(port_range, [((p,), {}) for p in ports], name="port_range", deadline=DEADLINE)
    for port, result in zip(ports, results):
        if not result.raised_a("ValueError"):
            fail(f"{describe_call('port_range', (port,))} should raise ValueError (a port is 0 to 65535), "
                 f"but it {result}.", expected="ValueError", got=str(result), hint=HINT_RANGES)


@check
def check_port_range(port_range):
    """Visible: the lecture's ports, both ends of every range, and -1 and 65536."""
    _check_ranges(port_range, [21, 80, 123, 8080, 0, 1023, 1024, 49151, 49152, 65535])
    _check_not_ports(port_range, [-1, 65536])


# ---------------------------------------------------------------------------------------
# Exercise 2: services by name

LECTURE_LOOKUPS = (("ftp", "tcp"), ("http", "tcp"), ("ntp", "udp"))
# A small /etc/services: (name, protocol) -> port, in file order.
FAKE_SERVICES = {
    ("ftp", "tcp"): 21, ("http", "tcp"): 80, ("domain", "tcp"): 53, ("domain", "udp"): 53,
    ("ntp", "udp"): 123, ("exec", "tcp"): 512, ("biff", "udp"): 512, ("x11", "tcp"): 6000,
    ("quake", "udp"): 26000,
}
NOT_FOUND = "service/proto not found"  # what CPython's getservbyname says, file or no file


class _Patched:
    """Calls the student's function in the child with name lookups replaced by fakes.

    ``services``: a dict like ``FAKE_SERVICES``, ``"missing"`` (no /etc/services at all),
    or None (the real one). ``hosts``: {name: [(family, address)]} for getaddrinfo, or None.
    """

    def __init__(self, func, services=None, hosts=None):
        self.func, self.services, self.hosts = func, services, hosts
        self.__name__ = getattr(func, "__name__", "the function")

    def __call__(self, *args, **kwargs):
        replaced = {}
        if self.services is not None:
            replaced[socket.getservbyname] = self._getservbyname
        if self.hosts is not None:
            replaced[socket.getaddrinfo] = self._getaddrinfo
            replaced[socket.gethostbyname] = _obsolete("gethostbyname")
            replaced[socket.gethostbyname_ex] = _obsolete("gethostbyname_ex")
        # Strategy: replace the functions in the socket module and every copy the student's
        # globals hold (``from socket import getaddrinfo``), in this child process only.
        for original, fake in replaced.items():
            setattr(socket, original.__name__, fake)
        scope = getattr(self.func, "__globals__", {})
        for key, value in list(scope.items()):
            for original, fake in replaced.items():
                if value is original:
                    scope[key] = fake
        if self.services == "missing":
            _hide_etc_services()
        return self.func(*args, **kwargs)

    def _getservbyname(self, name, proto=None):
        if self.services == "missing":
            raise OSError(NOT_FOUND)
        for (service, protocol), port in self.services.items():
            if service == name and proto in (None, protocol):
                return port
        raise OSError(NOT_FOUND)

    def _getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        records = _literal(host) or self.hosts.get(host)
        if records is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        number = 0 if port is None else int(port)
        found = []
        for fam, address in records:
            if family not in (0, socket.AF_UNSPEC, fam):
                continue
            for kind, protocol in ((socket.SOCK_STREAM, 6), (socket.SOCK_DGRAM, 17), (socket.SOCK_RAW, 0)):
                if type not in (0, kind) or proto not in (0, protocol):
                    continue
                sockaddr = (address, number) if fam == socket.AF_INET else (address, number, 0, 0)
                found.append((socket.AddressFamily(fam), socket.SocketKind(kind), protocol, "", sockaddr))
        if not found:
            raise socket.gaierror(socket.EAI_ADDRFAMILY, "Address family for hostname not supported")
        return found


def _literal(host):
    """A numeric IPv4 address is its own answer, as with the real resolver."""
    try:
        socket.inet_pton(socket.AF_INET, host)
    except (OSError, TypeError):
        return None
    return [(socket.AF_INET, host)]


def _obsolete(name):
    def refuse(*args, **kwargs):
        raise RuntimeError(f"socket.{name} is obsolete (IPv4 only, not thread-safe): this exercise is "
                           "about socket.getaddrinfo")
    return refuse


def _hide_etc_services():
    """In this child: opening /etc/services fails as if the file were not there."""
    real_open = builtins.open

    def open_(file, *args, **kwargs):
        if str(file) == "/etc/services":
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(file))
        return real_open(file, *args, **kwargs)

    builtins.open = io.open = open_


def _real_port(name, protocol):
    try:
        return socket.getservbyname(name) if protocol is None else socket.getservbyname(name, protocol)
    except OSError:
        return None


def _check_lookups(lookup_service, lookups, services):
    """lookups: [(args, expected port or None)] with None meaning 'LookupError'."""
    __tracebackhide__ = True  # noqa: F841
    if isinstance(services, dict):
        where = "a small /etc/services (" + ", ".join(f"{n} {p}/{t}" for (n, t), p in services.items()) + ")"
    else:
        where = "a machine without /etc/services" if services == "missing" else "this machine's /etc/services"
    func = _Patched(lookup_service, services=services) if services is not None else lookup_service
    results = run_cases(func, [(args, {}) for args, _ in lookups], name="lookup_service", deadline=DEADLINE,
                        hint=HINT_SERVICES)
    for (args, expected), result in zip(lookups, results):
        call = describe_call("lookup_service", args)
        protocol = args[1] if len(args) > 1 else "tcp"
        if expected is not None:
            if result.raised or result.value != expected or isinstance(result.value, bool):
                got = str(result)
                if not result.raised and result.value == _ignoring_protocol(services, args[0]):
                    got += f" (the port of another protocol: ask getservbyname for {protocol!r})"
                fail(f"{call} on {where} gave the wrong answer.", expected=str(expected), got=got,
                     hint=HINT_SERVICES)
            continue
        why = (f"there is no {protocol} service called {args[0]!r}" if services != "missing"
               else "/etc/services is missing, so getservbyname finds nothing")
        if result.raised_a("LookupError"):
            if args[0] not in result.message or protocol not in result.message:
                fail(f"{call} on {where} raised {result.error_type}, but its message does not say which "
                     f"service and protocol were not found.", expected=f"a message naming {args[0]!r} and "
                     f"{protocol!r}", got=str(result), hint="a good error says what was asked for.")
            continue
        if result.raised_a("OSError"):
            fail(f"{call} on {where} let getservbyname's error escape: {why}.",
                 expected=f"LookupError naming {args[0]!r} and {protocol!r}", got=str(result),
                 hint="catch the OSError and raise LookupError(f'no {protocol} service called {name!r}'), "
                      "so the caller gets a clear error. " + HINT_SERVICES)
        got = str(result)
        if not result.raised and result.value is not None and result.value == _ignoring_protocol(services, args[0]):
            got += f": the port of {args[0]!r} for another protocol; pass the protocol to getservbyname"
        fail(f"{call} on {where} should raise LookupError ({why}), but it {result}.",
             expected=f"LookupError naming {args[0]!r} and {protocol!r}", got=got, hint=HINT_SERVICES)


def _ignoring_protocol(services, name):
    if isinstance(services, dict):
        return next((port for (service, _), port in services.items() if service == name), None)
    return _real_port(name, None) if services is None else None


@check
def check_lookup_service(lookup_service):
    """Visible: ftp, http, ntp/udp on this machine; an unknown service; no /etc/services at all."""
    real = [((name, proto), _real_port(name, proto)) for name, proto in LECTURE_LOOKUPS]
    if all(port is not None for _, port in real):
        _check_lookups(lookup_service, real + [(("no-such-service", "tcp"), None)], None)
    else:  # this machine has no /etc/services: use a small one instead
        _check_lookups(lookup_service, [(args, FAKE_SERVICES[args]) for args in LECTURE_LOOKUPS],
                       FAKE_SERVICES)
    _check_lookups(lookup_service, [(("ftp", "tcp"), None)], "missing")


# ---------------------------------------------------------------------------------------
# Exercise 3: names to IPv4 addresses

V4, V6 = socket.AF_INET, socket.AF_INET6
FAKE_HOSTS = {
    "www.example.test": [(V6, "2001:db8::10"), (V4, "192.0.2.10"), (V6, "2001:db8::20"), (V4, "192.0.2.20"),
                         (V4, "198.51.100.7"), (V4, "192.0.2.10")],
    "v6only.example.test": [(V6, "2001:db8::1"), (V6, "2001:db8::2")],
    "mirror.example.test": [(V4, f"203.0.113.{n}") for n in (42, 7, 199, 13, 88, 3, 150, 61)]
    + [(V6, "2001:db8::42"), (V4, "203.0.113.7")],
    "one.example.test": [(V4, "192.0.2.1")] * 3,
}


def _expected_ipv4(records):
    return list(dict.fromkeys(address for family, address in records if family == V4))


def _check_names(ipv4_addresses, hosts, patched):
    """hosts: [(host, expected list, why)]; None expected means socket.gaierror.

    For a name without IPv4 addresses, [] and socket.gaierror are both right: asking
    getaddrinfo for family=AF_INET makes the resolver itself fail.
    """
    __tracebackhide__ = True  # noqa: F841
    func = _Patched(ipv4_addresses, hosts=FAKE_HOSTS) if patched else ipv4_addresses
    results = run_cases(func, [((host,), {}) for host, _, _ in hosts], name="ipv4_addresses", deadline=DEADLINE,
                        hint=HINT_NAMES)
    for (host, expected, why), result in zip(hosts, results):
        call = describe_call("ipv4_addresses", (host,))
        records = FAKE_HOSTS.get(host, ())
        shown = "\n".join(f"{socket.AddressFamily(f).name:<9} {a}" for f, a in records)
        told = f"\n  the resolver knows these records for {host!r}:\n{_indent(shown)}" if records else ""
        if expected is None:
            if not result.raised_a("gaierror"):
                fail(f"{call} should let socket.gaierror through ({why}), but it {result}.{told}",
                     expected="socket.gaierror", got=str(result),
                     hint="a name that does not exist is an error, not a host without IPv4 addresses: do not "
                          "catch getaddrinfo's error.")
            continue
        if expected == [] and (result.raised_a("gaierror") or result.value == []):
            continue  # no IPv4 address: an empty list, or getaddrinfo's own error with family=AF_INET
        if result.raised:
            fail(f"{call} raised an error ({why}).{told}", expected=repr(expected), got=str(result),
                 hint=HINT_NAMES)
        got = result.value
        if not isinstance(got, list) or got != expected:
            notes = []
            if isinstance(got, (list, tuple, set)):
                items = list(got)
                if any(":" in str(item) for item in items):
                    notes.append("it contains IPv6 addresses: keep only family AF_INET")
                if len(items) != len(set(map(str, items))):
                    notes.append("it repeats an address: getaddrinfo returns one tuple per socket type")
                if not notes and sorted(map(str, items)) == sorted(expected) and items != expected:
                    notes.append("the right addresses in another order: keep the resolver's order")
                if not isinstance(got, list) and not notes:
                    notes.append(f"it is a {type(got).__name__}, not a list")
                if any(isinstance(item, tuple) for item in items):
                    notes.append("it holds tuples: take the address, sockaddr[0]")
            got_text = repr(got) + (": " + "; ".join(notes) if notes else "")
            fail(f"{call} returned the wrong list ({why}).{told}", expected=repr(expected), got=got_text,
                 hint=HINT_NAMES)


@check
def check_ipv4_addresses(ipv4_addresses):
    """Visible: localhost on this machine; a name with IPv6 records and repeats; an IPv6-only name."""
    real = [info[4][0] for info in socket.getaddrinfo("localhost", None) if info[0] == V4]
    _check_names(ipv4_addresses, [("localhost", list(dict.fromkeys(real)), "this machine's resolver")], False)
    _check_names(ipv4_addresses, [
        ("www.example.test", _expected_ipv4(FAKE_HOSTS["www.example.test"]), "a name with IPv4 and IPv6 records"),
        ("v6only.example.test", [], "a name with IPv6 records only"),
    ], True)


# ---------------------------------------------------------------------------------------
# Exercise 4 and 5: probes


@contextlib.contextmanager
def full_backlog_server(host="127.0.0.1"):
    """A TCP port that never answers a SYN: listen(0) with its accept queue full.

    The kernel keeps only a few connections waiting for accept() (one, on Linux, for a
    backlog of 0); once the queue is full it drops new SYNs without a word, so a client's
    connect() times out, as it does behind a firewall that drops packets. Connections
    nobody accepts fill the queue until one attempt gets no answer. Yields the address.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers = []
    try:
        listener.bind((host, 0))
        listener.listen(0)
        address = listener.getsockname()
        for _ in range(FILL_ATTEMPTS):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            fillers.append(filler)
            filler.settimeout(FILL_PROBE)
            try:
                filler.connect(address)  # waits in the queue: nobody will accept it
            except TimeoutError:
                break  # no answer: the queue is full
        else:
            raise PeerError(f"the accept queue of a listen(0) socket took {FILL_ATTEMPTS} connections "
                            "and still answered; this system cannot make a silent port")
        yield address
    finally:
        for sock in (*fillers, listener):
            sock.close()


@contextlib.contextmanager
def closed_port(kind=socket.SOCK_STREAM, host="127.0.0.1"):
    """A port where nothing listens: connect gets an RST (TCP) or an ICMP port unreachable (UDP).

    For TCP the port stays reserved by a socket that is bound but not listening, so no
    other program can take it meanwhile; a UDP socket that is bound would receive, so
    for UDP the port is released before it is used.
    """
    sock = socket.socket(socket.AF_INET, kind)
    try:
        sock.bind((host, 0))
        address = sock.getsockname()
        if kind == socket.SOCK_DGRAM:
            sock.close()
        yield address
    finally:
        sock.close()


HINT_PROBE_TIMEOUT = ("a port that never answers keeps connect() or recv() waiting (for minutes, or forever) "
                      "unless the socket has a timeout: sock.settimeout(timeout) before connecting, or "
                      "socket.create_connection(address, timeout=timeout).")


class Answers:
    """A UDP handler that notes what the server answered and when, so a failure can say what it did."""

    def __init__(self, handler):
        self.handler, self.seen = handler, []  # seen: (request, reply, time.monotonic() of the reply)

    def __call__(self, data, sender):
        reply = self.handler(data, sender)
        if reply is not None:
            self.seen.append((data, reply, time.monotonic()))
        return reply


def _said_silent(args, address, timeout, outcome, started, answers):
    """What the check saw when a probe said 'silent' though the server answered, and the likely causes."""
    if not answers or not answers.seen:
        return (f"it said 'silent' after {outcome.elapsed:.2f} s, before the server had answered, though the "
                f"timeout was {timeout} s: wait as long as `timeout` says, not less")
    request, reply, at = answers.seen[0]
    answered_after = max(0.0, at - started)
    seen = (f"the server received {show_bytes(request)} and answered {show_bytes(reply)} from "
            f"{address[0]}:{address[1]} {answered_after:.2f} s after the probe started; the probe said 'silent' "
            f"after {outcome.elapsed:.2f} s")
    if outcome.elapsed < answered_after:
        return f"{seen}, before the answer came: wait as long as `timeout` says ({timeout} s), not less"
    causes = []
    if args[0] != address[0]:
        causes.append(f"you were given the name {args[0]!r}, and replies come from the address {address[0]!r}: "
                      "a sender compared with the host string as given never matches (a connected socket "
                      "receives only from its peer, so there is nothing to compare)")
    if reply != request:
        causes.append("the answer was not your own datagram sent back: any datagram that comes back is an answer")
    causes = causes or ["the answer was there to read: the first recv() that returns is the answer"]
    return f"{seen}, so it had the answer and did not count it. Likely: " + "; or ".join(causes)


def _tcp_note(expected, said, timeout, outcome, func):
    """What a probe_tcp that named the wrong state did, as the check saw it, and the likely cause: the
    code's names tell a probe built on connect_ex (error numbers) from one built on exceptions."""
    took = f"it answered {said!r} after {outcome.elapsed:.2f} s"
    numbers = "connect_ex" in names_used(func)
    if (expected, said) == ("silent", "closed"):
        return (f"{took}, the whole timeout: connect() got no answer and timed out; a refusal comes at once. "
                "'closed' is only a refusal: " + (
                    "connect_ex returns errno.ECONNREFUSED for it, and for a timeout errno.EAGAIN (11): do not "
                    "read every number that is not 0 as 'closed'" if numbers else
                    "ConnectionRefusedError. TimeoutError is an OSError too, so an `except OSError` placed before "
                    "`except TimeoutError` catches the timeout as well"))
    if (expected, said) == ("closed", "silent"):
        return (f"{took}: connect() was refused at once (an RST came back), it did not time out. " + (
            "connect_ex returns errno.ECONNREFUSED for a refusal: that number means 'closed'" if numbers else
            "ConnectionRefusedError is an OSError too: an `except OSError` (or a bare except) that answers "
            "'silent' catches it as well; catch it on its own first"))
    if (expected, said) == ("open", "silent"):
        return (f"{took}: connect() succeeded (the server accepted the connection) and the server never spoke; "
                "the port is open once connect() succeeds, whether the server then speaks does not matter")
    return took


def _probe_failure(name, args, timeout, outcome, expected, story, hint, note=None):
    __tracebackhide__ = True  # noqa: F841
    call = describe_call(name, args, {"timeout": timeout})
    port = f"\n  the port: {story}."
    if outcome.status == "returned":
        fail(f"{call} returned {outcome.value!r}, but the port is {expected!r}.{port}",
             expected=repr(expected), got=repr(outcome.value) + (f": {note}" if note else ""), hint=hint)
    not_written(outcome, name, call=call)
    lines = outcome.message.replace(outcome.function, call, 1).splitlines()
    fail("\n".join([lines[0] + port, *lines[1:]]), expected=f"{expected!r} within {timeout} s",
         hint=HINT_PROBE_TIMEOUT if outcome.status == "timeout" else hint)


def _udp_refused_note(timeout, outcome):
    if outcome.elapsed < timeout / 2:
        return (f"it answered 'silent' after {outcome.elapsed:.2f} s, well before the timeout: the ICMP error did "
                "reach it, as ConnectionRefusedError, an OSError too; an `except OSError` that answers 'silent' "
                "catches it: catch ConnectionRefusedError on its own first")
    return (f"it answered 'silent' after {outcome.elapsed:.2f} s, the whole timeout: nothing reached it. An "
            "unconnected socket (sendto/recvfrom) never hears the ICMP error; connect() the UDP socket, then send() "
            "and recv()")


# the probes whose exercise says to close the socket they open: what to call it
MUST_CLOSE = {"probe_tcp": "its socket (the exercise says: close the socket you opened)"}


def _probe(name, func, address, timeout, expected, story, hint, host=None, answers=None):
    """Run one probe in a child; fail unless it says ``expected`` within ``timeout`` (+ slack).

    ``host`` replaces the address's host in the call (a name such as 'localhost'); ``answers``
    is the server's ``Answers`` handler, so a failure can say what the server did.
    """
    __tracebackhide__ = True  # noqa: F841
    args = (host or address[0], address[1])
    started = time.monotonic()
    outcome = run(func, *args, timeout=timeout, deadline=round(timeout + GRACE, 2))
    if outcome.status != "returned" or outcome.value != expected:
        note = None
        if outcome.status == "returned" and name == "probe_tcp":
            note = _tcp_note(expected, outcome.value, timeout, outcome, func)
        elif outcome.status == "returned" and (expected, outcome.value) == ("answers", "silent"):
            note = _said_silent(args, address, timeout, outcome, started, answers)
        elif outcome.status == "returned" and (expected, outcome.value) == ("refused", "silent"):
            note = _udp_refused_note(timeout, outcome)
        elif outcome.status == "returned" and (expected, outcome.value) == ("silent", "refused"):
            note = (f"it answered 'refused' after {outcome.elapsed:.2f} s, the whole timeout: nothing came back, "
                    "recv() timed out; 'refused' is only ConnectionRefusedError (an ICMP error comes at once). "
                    "TimeoutError is an OSError too, so an `except OSError` placed before `except TimeoutError` "
                    "catches the timeout as well")
        _probe_failure(name, args, timeout, outcome, expected, story, hint, note)
    if outcome.elapsed > timeout + SLACK:
        times = outcome.elapsed / timeout
        fail(f"{describe_call(name, args, {'timeout': timeout})} answered {expected!r} after "
             f"{outcome.elapsed:.1f} s; the timeout was {timeout} s.",
             expected=f"an answer within about {timeout} s",
             got=f"{outcome.elapsed:.1f} s" + (f", about {round(times)} times the timeout" if times > 1.6 else ""),
             hint="the whole probe takes at most `timeout` seconds: one try, with sock.settimeout(timeout) (the "
                  "parameter, not a number of your own), and no second try after a timeout.")
    if name in MUST_CLOSE:
        fail_unclosed(outcome, f"{describe_call(name, args, {'timeout': timeout})} answered {expected!r} rightly and "
                      "returned", MUST_CLOSE[name])


TCP_STORIES = {
    "nop": "a server accepts the connection and never says a word (netkit's nop_server); connect() succeeded",
    "greets": "a server accepts and sends a greeting at once",
    "closed": "nothing listens there: the kernel answered the SYN with an RST, connect() raised "
              "ConnectionRefusedError at once",
    "silent": "a listener whose accept queue is full: the kernel drops every SYN, so nothing ever comes back",
}


@check
def check_probe_tcp(probe_tcp):
    """Visible: an open port whose server never speaks, a closed port, a silent port, timeout 0.3 s; the probe
    closes its socket itself."""
    with nop_server() as address:
        _probe("probe_tcp", probe_tcp, address, 0.3, "open", TCP_STORIES["nop"], HINT_TCP)
    with closed_port() as address:
        _probe("probe_tcp", probe_tcp, address, 0.3, "closed", TCP_STORIES["closed"], HINT_TCP)
    with full_backlog_server() as address:
        _probe("probe_tcp", probe_tcp, address, 0.3, "silent", TCP_STORIES["silent"], HINT_TCP)


UDP_STORIES = {
    "echo": "a UDP server sends back every datagram it receives",
    "slow": "a UDP server answers after 0.3 s",
    "other": "a UDP server answers every datagram with b'pong'",
    "closed": "nothing listens there: the kernel answered with an ICMP 'port unreachable' at once",
    "silent": "a UDP server receives every datagram and never answers",
}


@check
def check_probe_udp(probe_udp):
    """Visible: a UDP echo server, a closed port, a server that never answers, timeout 0.3 s."""
    with udp_server(answers := Answers(lambda data, sender: data)) as address:
        _probe("probe_udp", probe_udp, address, 0.3, "answers", UDP_STORIES["echo"], HINT_UDP, answers=answers)
    with closed_port(socket.SOCK_DGRAM) as address:
        _probe("probe_udp", probe_udp, address, 0.3, "refused", UDP_STORIES["closed"], HINT_UDP)
    with udp_server(lambda data, sender: None) as address:
        _probe("probe_udp", probe_udp, address, 0.3, "silent", UDP_STORIES["silent"], HINT_UDP)


# ---------------------------------------------------------------------------------------
# Exercise 6: what happened to numbered datagrams


def reference_classification(count, arrivals):
    """The answer exercise 6 asks for: lost, duplicated, reordered (sorted, each number once)."""
    seen, first_order = {}, []
    for number in arrivals:
        if number not in seen:
            first_order.append(number)
        seen[number] = seen.get(number, 0) + 1
    highest, reordered = -1, set()
    for number in first_order:
        if number < highest:
            reordered.add(number)
        highest = max(highest, number)
    return {
        "lost": [n for n in range(count) if n not in seen],
        "duplicated": sorted(n for n, times in seen.items() if times > 1),
        "reordered": sorted(reordered),
    }


def simulate_arrivals(count, **faults):
    """The order in which ``udp_proxy(**faults)`` (no delay) delivers datagrams 0..count-1.

    A pure model of the proxy: a reordered datagram waits for the next one that is
    neither dropped nor reordered, and goes out right after it; held ones still waiting
    at the end go last.
    """
    knobs = UDPFaults(**faults)
    arrivals, held = [], []
    for index in range(count):
        fate = datagram_fate(knobs, index)
        if fate.dropped:
            continue
        copies = [index] * (2 if fate.duplicated else 1)
        if fate.reordered:
            held.extend(copies)
            continue
        arrivals.extend(copies)
        arrivals.extend(held)
        held = []
    return arrivals + held


def observable_seed(count, start=0, **faults):
    """The first seed from ``start`` whose reorderings a receiver can see.

    A reordered datagram that nothing overtakes (the last ones) merely arrives late, in
    order: no receiver could tell. Checks and demos use seeds where that does not happen,
    so the proxy's report and the receiver's view agree.
    """
    for seed in range(start, start + 10_000):
        knobs = UDPFaults(seed=seed, **faults)
        fates = [datagram_fate(knobs, i) for i in range(count)]
        last_plain = max((i for i, f in enumerate(fates) if not f.dropped and not f.reordered), default=-1)
        if all(i < last_plain for i, f in enumerate(fates) if f.reordered):
            return seed
    raise ValueError(f"no seed in {start}..{start + 9999} makes every reordering visible for {faults}")


ARRIVAL_CASES = (
    (5, [0, 1, 2, 3, 4], "a perfect link"),
    (5, [0, 1, 3, 4], "datagram 2 never arrived"),
    (5, [0, 1, 1, 2, 3, 4], "datagram 1 arrived twice, in its place: a duplicate, not a reordering"),
    (5, [0, 2, 1, 3, 4], "datagram 2 overtook datagram 1"),
    (6, [0, 3, 1, 2, 4, 5], "datagram 3 overtook datagrams 1 and 2"),
    (4, [], "nothing arrived"),
)


def _check_arrivals(classify_arrivals, cases):
    __tracebackhide__ = True  # noqa: F841
    calls = [((n, list(seen)), {}) for n, seen, _ in cases]
    results = run_cases(classify_arrivals, calls, name="classify_arrivals", deadline=DEADLINE, hint=HINT_ARRIVALS)
    for (count, arrivals, why), result in zip(cases, results):
        expected = reference_classification(count, arrivals)
        call = describe_call("classify_arrivals", (count, arrivals))
        if len(call) > 160:
            call = f"classify_arrivals({count}, [{len(arrivals)} numbers: {str(arrivals)[1:100]}...])"
        if result.raised:
            fail(f"{call} raised an error ({why}).", expected=repr(expected), got=str(result), hint=HINT_ARRIVALS)
        got = result.value
        if not isinstance(got, dict):
            fail(f"{call} should return a dict with keys 'lost', 'duplicated' and 'reordered', not "
                 f"{type(got).__name__} {got!r:.80}.", expected=repr(expected), hint=HINT_ARRIVALS)
        for key, right in expected.items():
            if key not in got:
                fail(f"{call} returned no {key!r} key.", expected=repr(expected), got=repr(got),
                     hint=HINT_ARRIVALS)
            mine = got[key]
            if not isinstance(mine, (list, tuple)) or list(mine) != right:
                note = ""
                if isinstance(mine, (list, tuple, set)) and sorted(set(mine)) == right:
                    note = ": the right numbers, but list each once, in increasing order"
                elif key == "reordered" and isinstance(mine, (list, tuple, set)):
                    extra = set(mine) - set(right)
                    if extra & set(expected["duplicated"]):
                        note = ": a duplicate's second copy is not a reordering"
                    elif set(right) - set(mine):
                        note = (": a datagram overtaken by a higher number is reordered, even when the next one "
                                "is in order")
                fail(f"{call} got {key!r} wrong ({why}).", expected=f"{key}={right}", got=f"{key}={mine!r}{note}",
                     hint=HINT_ARRIVALS)


@check
def check_classify_arrivals(classify_arrivals):
    """Visible: six small arrival lists: perfect, a loss, a duplicate, reorderings, nothing."""
    _check_arrivals(classify_arrivals, ARRIVAL_CASES)


# ---------------------------------------------------------------------------------------
# Exercise 7: measuring a lossy link


def _echo(data, sender):
    return data


def _paced_echo(data, sender, _gap=PACE):
    import threading  # noqa: PLC0415  (only this handler waits)

    threading.Event().wait(_gap)  # a deliberate pace, not a wait for readiness
    return data


def _check_link(measure_link, count, timeout, paced=False, host=None, **faults):
    """``paced``: the echo server answers PACE seconds after the previous answer; ``host``: a name
    (such as 'localhost') given instead of the proxy's address."""
    __tracebackhide__ = True  # noqa: F841
    shown_faults = ", ".join(f"{k}={v}" for k, v in faults.items())
    server_kind = f"an echo server that answers every {PACE} s" if paced else "an echo server"
    setting = f"{server_kind} behind udp_proxy({shown_faults})" if faults else server_kind
    with udp_server(_paced_echo if paced else _echo) as server, udp_proxy(server, **faults) as proxy:
        address = (host or proxy.address[0], proxy.address[1])
        call = describe_call("measure_link", (address, count), {"timeout": timeout})
        spread = PACE * count if paced else 0.0
        outcome = run(measure_link, address, count, timeout=timeout,
                      deadline=round(timeout * 4 + spread + GRACE, 2))
        # Every copy that reached the server is echoed; wait until the last echo is relayed.
        proxy.wait_for(lambda r: r.replies >= len(r.forwarded) + len(r.duplicated), timeout=2.0)
        report = proxy.report
        echoed = [chunk.data for chunk in proxy.recording.chunks if chunk.direction == "<-"]
    if outcome.status != "returned":
        not_written(outcome, "measure_link", call=call)
        fail(f"{call} with {setting}:\n" + outcome.message.replace(outcome.function + " ", "it ", 1),
             hint=HINT_LINK)
    sent = list(report.payloads)
    wanted = [str(i).encode() for i in range(count)]
    if sent != wanted:
        first = next((i for i, (a, b) in enumerate(zip(sent, wanted)) if a != b), min(len(sent), len(wanted)))
        fail(f"{call} did not send the numbered datagrams exercise 7 asks for.",
             sent=f"{len(sent)} datagrams: {sent[:8]!r}{'...' if len(sent) > 8 else ''}",
             expected=f"{count} datagrams: {wanted[:8]!r}{'...' if count > 8 else ''}",
             got=f"the first difference is datagram {first}", hint=HINT_LINK)
    expected = [int(data) for data in echoed]
    got = outcome.value
    if not isinstance(got, list) or got != expected:
        fail(f"{call} with {setting} returned the wrong arrivals.",
             expected=f"{len(expected)} numbers, in the order they came back: {expected}",
             got=f"{got!r:.300}{_link_note(got, expected, count, address, proxy.address)}", hint=HINT_LINK)
    budget = timeout + spread + SLACK + 0.5
    if outcome.elapsed > budget:
        fail(f"{call} took {outcome.elapsed:.1f} s; after the last answer it should wait only `timeout` "
             f"({timeout} s) more.", expected=f"about {timeout} s after the last answer",
             got=f"{outcome.elapsed:.1f} s", hint=HINT_LINK)


def _link_note(got, expected, count, address=None, echoed_from=None):
    """Why a list of arrivals is wrong, when the shape of it says so."""
    if got == [] and expected and address and address[0] != echoed_from[0]:
        return (f": none of the {len(expected)} echoes counted. They came from {echoed_from[0]}:{echoed_from[1]}, "
                f"and you were given the name {address[0]!r}: a sender compared with the address as given never "
                "matches; a connected socket receives only from its peer, so there is nothing to compare")
    if not isinstance(got, list):
        return f": a {type(got).__name__}, not a list"
    if any(not isinstance(v, int) or isinstance(v, bool) for v in got):
        return ": the items should be ints (int(data))"
    if len(got) < len(expected) and got == expected[:len(got)]:
        why = (" (after `count` answers? duplicates make more come back)" if len(got) == count else
               " (`timeout` is the silence that ends the reading, not the total time for it)")
        return f": the first {len(got)} of {len(expected)}; it stopped reading too early{why}"
    if len(got) == len(expected) and all(isinstance(g, int) and str(e).startswith(str(g))
                                          for g, e in zip(got, expected)):
        return (": numbers of two digits or more came back cut to their first digits: recv(n) gives at most n "
                "bytes of a datagram and drops the rest; ask for more (recv(2048))")
    if 0 < len(got) < len(expected) and got == expected[-len(got):]:
        return (f": only the last {len(got)} of {len(expected)}; the answers go to the address that sent last, "
                "so send everything from one socket")
    if sorted(got) == sorted(expected):
        return ": the right numbers in another order; return them in the order they arrived"
    return ""


@check
def check_measure_link(measure_link):
    """Visible: 30 datagrams through a proxy that loses, duplicates and reorders (seeded), timeout 0.4 s."""
    faults = {"drop": 0.1, "duplicate": 0.1, "reorder": 0.1}
    _check_link(measure_link, 30, 0.4, seed=observable_seed(30, **faults), **faults)


