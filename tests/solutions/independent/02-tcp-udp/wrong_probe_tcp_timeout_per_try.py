"""Mistake (probe_tcp): "to be sure" it tries three times, each with the full timeout, so a
silent port takes three times `timeout`."""

import socket


def probe_tcp(host, port, timeout=1.0):
    for _ in range(3):
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return "open"
        except ConnectionRefusedError:
            return "closed"
        except TimeoutError:
            continue
    return "silent"
