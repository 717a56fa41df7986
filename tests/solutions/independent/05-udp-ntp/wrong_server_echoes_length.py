"""Mistake (exercise 4): the reply is built by patching a copy of the request, so it is as
long as the request (a 68-byte request gets a 68-byte reply) instead of 48 bytes."""
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
        if len(data) < 48 or data[0] & 7 != 3:
            continue
        now = _ntp(clock()).to_bytes(8, "big")
        reply = bytearray(data)
        reply[0] = (data[0] & 0x38) | 4
        reply[1] = 1
        reply[12:16] = b"LOCL"
        reply[24:32] = data[40:48]
        reply[16:24] = reply[32:40] = reply[40:48] = now
        sock.sendto(reply, sender)
