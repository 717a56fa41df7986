"""Mistake (int_to_ip): struct and socket.inet_ntoa, which the exercise forbids ("by hand");
out-of-range numbers also raise struct.error, not ValueError."""

import socket
import struct


def int_to_ip(number):
    return socket.inet_ntoa(struct.pack("!I", number))
