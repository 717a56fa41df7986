"""Mistake (exercise 4): no length check: a datagram shorter than 48 bytes makes
struct.unpack raise, and the server dies."""
import socket
import struct
import time
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def _ntp(unix_seconds):
    return round((unix_seconds + NTP_EPOCH_OFFSET) * 2**32) % 2**64   # era 1 after 2036


def make_ntp_socket(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def serve_ntp(sock, clock=time.time):
    while True:
        data, sender = sock.recvfrom(1024)
        first, transmit = struct.unpack("!B39xQ", data[:48])
        if first & 7 != 3:
            continue
        now = _ntp(clock())
        reply = struct.pack("!BBbbII4sQQQQ", (first & 0x38) | 4, 1, 0, -20, 0, 0, b"LOCL",
                            now, transmit, now, now)
        sock.sendto(reply, sender)
