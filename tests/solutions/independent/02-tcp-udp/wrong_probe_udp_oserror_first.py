"""Mistake (probe_udp): `except OSError` before `except TimeoutError`: a silent port's timeout
is an OSError too, so it is reported as "refused"."""

import socket


def probe_udp(host, port, timeout=1.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((host, port))
        try:
            sock.send(b"probe")
            sock.recv(65535)
            return "answers"
        except OSError:
            return "refused"
        except TimeoutError:
            return "silent"
