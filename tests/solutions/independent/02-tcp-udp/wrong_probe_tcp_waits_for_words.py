"""Mistake (probe_tcp): calls a port open only if the server says something after the connect;
an open port whose server stays quiet is reported as "silent"."""

import socket


def probe_tcp(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.recv(1)
            return "open"
    except ConnectionRefusedError:
        return "closed"
    except TimeoutError:
        return "silent"
