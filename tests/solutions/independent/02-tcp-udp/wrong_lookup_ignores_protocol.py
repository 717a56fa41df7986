"""Mistake (lookup_service): the protocol is not passed to getservbyname, which then matches any
protocol, so lookup_service("ntp") finds ntp/udp instead of failing."""

import socket


def lookup_service(name, protocol="tcp"):
    try:
        return socket.getservbyname(name)
    except OSError as exc:
        raise LookupError(f"no service {name!r} over {protocol!r}") from exc
