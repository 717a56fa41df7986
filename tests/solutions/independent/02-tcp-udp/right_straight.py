"""Notebook 02, right: comparisons, try/except around the socket calls, a running maximum.

Written from the exercise text only.
"""

import socket


def port_range(port):
    """The IANA range of `port`: "well-known", "registered" or "dynamic"; ValueError if not a port."""
    if port < 0 or port > 65535:
        raise ValueError(f"{port} is not a port number (0-65535)")
    if port <= 1023:
        return "well-known"
    if port <= 49151:
        return "registered"
    return "dynamic"


def lookup_service(name, protocol="tcp"):
    """The port of service `name` over `protocol`; LookupError naming both if it is unknown."""
    try:
        return socket.getservbyname(name, protocol)
    except OSError as exc:
        raise LookupError(f"no service {name!r} over {protocol!r} ({exc})") from exc


def ipv4_addresses(host):
    """The IPv4 addresses of `host`, each once, in the resolver's order."""
    infos = socket.getaddrinfo(host, None, socket.AF_INET)
    return list(dict.fromkeys(sockaddr[0] for _, _, _, _, sockaddr in infos))


def probe_tcp(host, port, timeout=1.0):
    """"open", "closed" or "silent": what a TCP connection to (host, port) meets within `timeout`."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return "open"
    except ConnectionRefusedError:
        return "closed"
    except TimeoutError:
        return "silent"


def probe_udp(host, port, timeout=1.0):
    """"answers", "refused" or "silent": what one datagram to (host, port) meets within `timeout`."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((host, port))
        try:
            sock.send(b"anyone there?")
            sock.recv(65535)
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "silent"
        return "answers"


def classify_arrivals(count, arrivals):
    """Which of datagrams 0..count-1 were lost, duplicated or reordered, given the arrival order."""
    seen = set()
    duplicated = set()
    reordered = set()
    highest = -1
    for number in arrivals:
        if number in seen:
            duplicated.add(number)
            continue
        seen.add(number)
        if number < highest:
            reordered.add(number)
        highest = max(highest, number)
    lost = [number for number in range(count) if number not in seen]
    return {"lost": lost, "duplicated": sorted(duplicated), "reordered": sorted(reordered)}


def measure_link(address, count, timeout=0.5):
    """Send datagrams 0..count-1 to the echo server at `address`; the numbers that came back, in order."""
    came_back = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(count):
            sock.sendto(str(number).encode(), address)
        sock.settimeout(timeout)
        while True:
            try:
                data = sock.recv(65535)
            except TimeoutError:
                break
            came_back.append(int(data))
    return came_back
