"""Mistake (lookup_service): the LookupError does not say which protocol was asked for."""

import socket


def lookup_service(name, protocol="tcp"):
    try:
        return socket.getservbyname(name, protocol)
    except OSError as exc:
        raise LookupError(f"unknown service {name!r}") from exc
