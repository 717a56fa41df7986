"""Mistake (ip_to_int): socket.inet_aton and struct, which the exercise forbids; inet_aton is also
lenient (fewer parts, octal, hex)."""

import socket
import struct


def ip_to_int(text):
    try:
        return struct.unpack("!I", socket.inet_aton(text))[0]
    except OSError as exc:
        raise ValueError(str(exc)) from exc
