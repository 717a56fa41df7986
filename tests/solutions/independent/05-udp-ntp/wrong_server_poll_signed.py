"""Mistake (exercise 4): the request's poll is copied with data[2] (0-255) into a signed 'b'
field: a client that polls faster than once a second (a negative poll, as chrony's -6) makes
struct raise, and the server dies."""
import socket
import struct
import time

NTP_EPOCH_OFFSET = 2208988800


def make_ntp_socket(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def serve_ntp(sock, clock=time.time):
    def stamp():
        return round((clock() + NTP_EPOCH_OFFSET) * 2**32) % 2**64

    while True:
        data, client = sock.recvfrom(1024)
        if len(data) < 48 or data[0] & 7 != 3:
            continue
        t2 = stamp()
        reply = struct.pack("!BBbbII4sQ8sQQ", (data[0] & 0x38) | 4, 1, data[2], -20, 0, 0, b"LOCL",
                            t2, data[40:48], t2, stamp())
        sock.sendto(reply, client)
