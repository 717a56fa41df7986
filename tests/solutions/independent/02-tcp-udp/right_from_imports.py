"""Notebook 02, right, in the `from socket import ...` style: the socket functions are bound
by name when this module is imported (as a notebook cell `from socket import getservbyname`
would), plus a bisect lookup and collections.Counter.

Written from the exercise text only.
"""

import bisect
from collections import Counter
from socket import (AF_INET, SOCK_DGRAM, SOCK_STREAM, create_connection, getaddrinfo, getservbyname,
                    socket as Socket)

_FIRSTS = [0, 1024, 49152]
_NAMES = ["well-known", "registered", "dynamic"]


def port_range(port):
    """The IANA range of `port`: "well-known", "registered" or "dynamic"; ValueError if not a port."""
    if not 0 <= port <= 65535:
        raise ValueError(f"{port} is outside 0-65535")
    return _NAMES[bisect.bisect_right(_FIRSTS, port) - 1]


def lookup_service(name, protocol="tcp"):
    """The port of service `name` over `protocol`; LookupError naming both if it is unknown."""
    try:
        return getservbyname(name, protocol)
    except OSError:
        raise LookupError(f"service {name} not found for protocol {protocol}") from None


def ipv4_addresses(host):
    """The IPv4 addresses of `host`, each once, in the resolver's order."""
    result = []
    for *_, sockaddr in getaddrinfo(host, None, AF_INET, SOCK_STREAM):
        if sockaddr[0] not in result:
            result.append(sockaddr[0])
    return result


def probe_tcp(host, port, timeout=1.0):
    """"open", "closed" or "silent": what a TCP connection to (host, port) meets within `timeout`."""
    try:
        create_connection((host, port), timeout=timeout).close()
    except ConnectionRefusedError:
        return "closed"
    except TimeoutError:
        return "silent"
    return "open"


def probe_udp(host, port, timeout=1.0):
    """"answers", "refused" or "silent": what one datagram to (host, port) meets within `timeout`."""
    with Socket(AF_INET, SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((host, port))
        sock.send(b"probe")
        try:
            sock.recv(1 << 16)
            return "answers"
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "silent"


def classify_arrivals(count, arrivals):
    """Which of datagrams 0..count-1 were lost, duplicated or reordered, given the arrival order."""
    copies = Counter(arrivals)
    first_position = {}
    for position, number in enumerate(arrivals):
        first_position.setdefault(number, position)
    reordered = sorted(number for number, position in first_position.items()
                       if max(arrivals[:position], default=-1) > number)
    return {
        "lost": [number for number in range(count) if copies[number] == 0],
        "duplicated": sorted(number for number, n in copies.items() if n > 1),
        "reordered": reordered,
    }


def measure_link(address, count, timeout=0.5):
    """Send datagrams 0..count-1 to the echo server at `address`; the numbers that came back, in order."""
    with Socket(AF_INET, SOCK_DGRAM) as sock:
        for number in range(count):
            sock.sendto(str(number).encode(), address)
        sock.settimeout(timeout)
        numbers = []
        try:
            while True:
                numbers.append(int(sock.recvfrom(4096)[0]))
        except TimeoutError:
            return numbers
