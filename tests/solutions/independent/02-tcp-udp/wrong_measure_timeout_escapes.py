"""Mistake (measure_link): the TimeoutError that ends the receiving is not caught, so the function
always ends with an exception instead of returning the numbers."""

import socket


def measure_link(address, count, timeout=0.5):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(count):
            sock.sendto(str(number).encode(), address)
        sock.settimeout(timeout)
        numbers = []
        while True:
            numbers.append(int(sock.recv(100)))
