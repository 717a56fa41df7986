"""Mistake (exercise 4): clock() is read once, before the loop: every reply carries the time
the server started, older than each request."""
import socket
import struct
import time

EPOCH = 2208988800


def make_ntp_socket(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def serve_ntp(sock, clock=time.time):
    now = struct.pack("!Q", round((clock() + EPOCH) * 2**32) % 2**64)
    while True:
        data, peer = sock.recvfrom(2048)
        if len(data) < 48 or data[0] & 7 != 3:
            continue
        head = struct.pack("!BBBbII4s", data[0] & 0x38 | 4, 1, data[2], -20, 0, 0, b"LOCL")
        sock.sendto(head + now + data[40:48] + now + now, peer)
