"""Mistake (lookup_service): no try/except: the bare OSError ("service/proto not found") gets
out instead of a LookupError."""

import socket


def lookup_service(name, protocol="tcp"):
    return socket.getservbyname(name, protocol)
