"""A correct solution: a table of ranges, create_connection for TCP, a connected UDP socket with
settimeout for the UDP probe and the link, collections.Counter for the arrivals."""

import socket
from collections import Counter

RANGES = ((0, 1023, "well-known"), (1024, 49151, "registered"), (49152, 65535, "dynamic"))


def port_range(port):
    for first, last, name in RANGES:
        if first <= port <= last:
            return name
    raise ValueError(f"{port} is not a port (0-65535)")


def lookup_service(name, protocol="tcp"):
    try:
        return socket.getservbyname(name, protocol)
    except OSError as exc:
        raise LookupError(f"no {protocol} service called {name!r} in /etc/services") from exc


def ipv4_addresses(host):
    infos = socket.getaddrinfo(host, None, socket.AF_INET)
    return list(dict.fromkeys(info[4][0] for info in infos))


def probe_tcp(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return "open"
    except ConnectionRefusedError:
        return "closed"
    except TimeoutError:
        return "silent"


def probe_udp(host, port, timeout=1.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((host, port))
        sock.send(b"probe")
        try:
            sock.recv(2048)
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "silent"
        return "answers"


def classify_arrivals(count, arrivals):
    copies = Counter(arrivals)
    reordered, highest = set(), -1
    for number in dict.fromkeys(arrivals):  # first copies, in arrival order
        if number < highest:
            reordered.add(number)
        highest = max(highest, number)
    return {
        "lost": [n for n in range(count) if n not in copies],
        "duplicated": sorted(n for n in copies if copies[n] > 1),
        "reordered": sorted(reordered),
    }


def measure_link(address, count, timeout=0.5):
    arrivals = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        for number in range(count):
            sock.send(str(number).encode())
        sock.settimeout(timeout)
        while True:
            try:
                arrivals.append(int(sock.recv(100)))
            except TimeoutError:
                return arrivals
