"""Mistake (probe_udp): sendto/recvfrom on an unconnected socket, which never hears the ICMP
port unreachable: a closed port is reported as "silent"."""

import socket


def probe_udp(host, port, timeout=1.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(b"probe", (host, port))
        try:
            sock.recvfrom(65535)
            return "answers"
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "silent"
