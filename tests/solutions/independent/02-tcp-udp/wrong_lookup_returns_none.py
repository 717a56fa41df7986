"""Mistake (lookup_service): an unknown service returns None instead of raising LookupError."""

import socket


def lookup_service(name, protocol="tcp"):
    try:
        return socket.getservbyname(name, protocol)
    except OSError:
        return None
