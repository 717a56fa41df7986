"""Mistake (measure_link): returns the raw datagrams (bytes such as b'7'), not the numbers as ints."""

import socket


def measure_link(address, count, timeout=0.5):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(count):
            sock.sendto(str(number).encode(), address)
        sock.settimeout(timeout)
        came = []
        try:
            while True:
                came.append(sock.recv(100))
        except TimeoutError:
            return came
