"""Mistake (probe_udp): no timeout on the socket: recv waits forever for a silent port."""

import socket


def probe_udp(host, port, timeout=1.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((host, port))
        try:
            sock.send(b"probe")
            sock.recv(65535)
            return "answers"
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "silent"
