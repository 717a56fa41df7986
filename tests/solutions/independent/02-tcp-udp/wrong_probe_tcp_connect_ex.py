"""Mistake (probe_tcp): connect_ex and "anything but 0 is closed": a timeout (connect_ex returns
EAGAIN) is reported as "closed"."""

import socket


def probe_tcp(host, port, timeout=1.0):
    with socket.socket() as sock:
        sock.settimeout(timeout)
        return "open" if sock.connect_ex((host, port)) == 0 else "closed"
