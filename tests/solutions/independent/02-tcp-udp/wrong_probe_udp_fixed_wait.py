"""Mistake (probe_udp): the `timeout` argument ignored: a fixed 0.1 s wait "because loopback is
fast", so an answer that takes longer is missed and called "silent"."""

import socket


def probe_udp(host, port, timeout=1.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.1)
        sock.connect((host, port))
        try:
            sock.send(b"probe")
            sock.recv(65535)
            return "answers"
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "silent"
