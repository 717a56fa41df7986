"""Mistake (exercise 4): the clock parameter is ignored and time.time() used, so the
server tells the machine's time, not its own idea of it."""
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
        now = _ntp(time.time())
        reply = struct.pack("!BBbbII4sQ8sQQ", (data[0] & 0x38) | 4, 1, 0, -20, 0, 0, b"LOCL",
                            now, data[40:48], now, now)
        sock.sendto(reply, sender)
