"""A correct solution written another way: comparisons, connect_ex with errno codes, select() for
both UDP functions (an unconnected socket with sendto/recvfrom for the link), sets for arrivals."""

import errno
import select
import socket


def port_range(port):
    if port < 0 or port > 65535:
        raise ValueError("a port is 16 bits")
    if port < 1024:
        return "well-known"
    if port < 49152:
        return "registered"
    return "dynamic"


def lookup_service(name, protocol="tcp"):
    try:
        port = socket.getservbyname(name, protocol)
    except socket.error:
        raise KeyError(f"service {name}/{protocol} not found") from None
    return port


def ipv4_addresses(host):
    found = []
    for family, _type, _proto, _name, sockaddr in socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM):
        if family == socket.AF_INET and sockaddr[0] not in found:
            found.append(sockaddr[0])
    return found


def probe_tcp(host, port, timeout=1.0):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        code = sock.connect_ex((host, port))
    finally:
        sock.close()
    if code == 0:
        return "open"
    if code == errno.ECONNREFUSED:
        return "closed"
    if code in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ETIMEDOUT, errno.EINPROGRESS):
        return "silent"
    raise OSError(code, "unexpected connect error")


def probe_udp(host, port, timeout=1.0):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect((host, port))
        sock.send(b"?")
        readable, _, _ = select.select([sock], [], [], timeout)
        if not readable:
            return "silent"
        try:
            sock.recv(65535)
        except ConnectionRefusedError:
            return "refused"
        return "answers"
    finally:
        sock.close()


def classify_arrivals(count, arrivals):
    seen, lost, duplicated, reordered = set(), [], set(), set()
    for index, number in enumerate(arrivals):
        if number in seen:
            duplicated.add(number)
            continue
        if any(earlier > number for earlier in arrivals[:index]):
            reordered.add(number)
        seen.add(number)
    lost = sorted(set(range(count)) - seen)
    return {"lost": lost, "duplicated": sorted(duplicated), "reordered": sorted(reordered)}


def measure_link(address, count, timeout=0.5):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for number in range(count):
            sock.sendto(b"%d" % number, address)
        arrivals = []
        while select.select([sock], [], [], timeout)[0]:
            data, _sender = sock.recvfrom(64)
            arrivals.append(int(data.decode()))
        return arrivals
    finally:
        sock.close()
