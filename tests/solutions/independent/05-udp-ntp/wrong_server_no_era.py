"""Mistake (exercise 4): the timestamps are packed as seconds since 1900 without modulo 2**32:
once clock() passes 2036-02-07 06:28:16 they need 33 bits, struct raises and the server dies."""
import socket
import struct
import time

EPOCH = 2208988800


def make_ntp_socket(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def _stamp(t):
    whole = int(t)
    return struct.pack("!II", whole + EPOCH, int((t - whole) * 2**32))


def serve_ntp(sock, clock=time.time):
    while True:
        data, peer = sock.recvfrom(2048)
        if len(data) < 48 or data[0] & 7 != 3:
            continue
        t2 = _stamp(clock())
        head = struct.pack("!BBBbII4s", data[0] & 0x38 | 4, 1, data[2], -20, 0, 0, b"LOCL")
        sock.sendto(head + t2 + data[40:48] + t2 + _stamp(clock()), peer)
