"""Mistake (measure_link): recv(1), enough for "one number"; but a datagram is read whole or not at
all, and the rest of a longer one is discarded: 17 comes back as 1."""

import socket


def measure_link(address, count, timeout=0.5):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(count):
            sock.sendto(str(number).encode(), address)
        sock.settimeout(timeout)
        numbers = []
        try:
            while True:
                numbers.append(int(sock.recv(1)))
        except TimeoutError:
            return numbers
