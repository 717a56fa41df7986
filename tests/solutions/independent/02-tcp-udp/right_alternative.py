"""Notebook 02, right, by other means: a table walk, connect_ex and errno, select() for waiting,
an O(n^2) look back for reordering, a deadline that restarts at every arrival.

Written from the exercise text only.
"""

import errno
import select
import socket
import time

RANGES = [(0, 1023, "well-known"), (1024, 49151, "registered"), (49152, 65535, "dynamic")]


def port_range(port):
    """The IANA range of `port`: "well-known", "registered" or "dynamic"; ValueError if not a port."""
    for first, last, name in RANGES:
        if first <= port <= last:
            return name
    raise ValueError(f"not a port: {port!r}")


def lookup_service(name, protocol="tcp"):
    """The port of service `name` over `protocol`; LookupError naming both if it is unknown."""
    try:
        port = socket.getservbyname(name, protocol)
    except OSError:
        port = None
    if port is None:
        raise LookupError(f"unknown service: {name}/{protocol}")
    return port


def ipv4_addresses(host):
    """The IPv4 addresses of `host`, each once, in the resolver's order."""
    addresses, seen = [], set()
    for family, _type, _proto, _canonname, sockaddr in socket.getaddrinfo(host, 0):
        if family == socket.AF_INET and sockaddr[0] not in seen:
            seen.add(sockaddr[0])
            addresses.append(sockaddr[0])
    return addresses


def probe_tcp(host, port, timeout=1.0):
    """"open", "closed" or "silent": what a TCP connection to (host, port) meets within `timeout`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        try:
            error = sock.connect_ex((host, port))
        except TimeoutError:
            return "silent"
        if error == 0:
            return "open"
        if error == errno.ECONNREFUSED:
            return "closed"
        if error in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINPROGRESS, errno.ETIMEDOUT):
            return "silent"
        raise OSError(error, f"connect to {host}:{port}: {errno.errorcode.get(error, error)}")
    finally:
        sock.close()


def probe_udp(host, port, timeout=1.0):
    """"answers", "refused" or "silent": what one datagram to (host, port) meets within `timeout`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect((host, port))
        sock.send(b"\x00")
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "silent"
            readable, _, _ = select.select([sock], [], [], left)
            if readable:
                try:
                    sock.recv(65535)
                except ConnectionRefusedError:
                    return "refused"
                return "answers"
    finally:
        sock.close()


def classify_arrivals(count, arrivals):
    """Which of datagrams 0..count-1 were lost, duplicated or reordered, given the arrival order."""
    lost, duplicated, reordered = [], [], []
    for number in range(count):
        positions = [i for i, arrived in enumerate(arrivals) if arrived == number]
        if not positions:
            lost.append(number)
            continue
        if len(positions) > 1:
            duplicated.append(number)
        if any(earlier > number for earlier in arrivals[:positions[0]]):
            reordered.append(number)
    return {"lost": lost, "duplicated": duplicated, "reordered": reordered}


def measure_link(address, count, timeout=0.5):
    """Send datagrams 0..count-1 to the echo server at `address`; the numbers that came back, in order."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect(address)
        for number in range(count):
            sock.send(b"%d" % number)
        numbers = []
        while True:
            readable, _, _ = select.select([sock], [], [], timeout)
            if not readable:
                return numbers
            numbers.append(int(sock.recv(2048).decode("ascii")))
    finally:
        sock.close()
