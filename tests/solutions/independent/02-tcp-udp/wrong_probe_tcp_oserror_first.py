"""Mistake (probe_tcp): `except OSError` comes before `except TimeoutError`; TimeoutError is an
OSError, so a silent port is reported as "closed"."""

import socket


def probe_tcp(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return "open"
    except OSError:
        return "closed"
    except TimeoutError:
        return "silent"
