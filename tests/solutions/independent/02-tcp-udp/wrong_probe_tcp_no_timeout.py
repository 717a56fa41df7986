"""Mistake (probe_tcp): no timeout on the socket: connect to a silent port blocks for the kernel's
own retries (about two minutes on Linux) instead of giving up after `timeout`."""

import socket


def probe_tcp(host, port, timeout=1.0):
    sock = socket.socket()
    try:
        sock.connect((host, port))
        return "open"
    except ConnectionRefusedError:
        return "closed"
    except TimeoutError:
        return "silent"
    finally:
        sock.close()
