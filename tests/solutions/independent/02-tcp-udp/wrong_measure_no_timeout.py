"""Mistake (measure_link): no timeout at all: after the last echo, recv waits forever."""

import socket


def measure_link(address, count, timeout=0.5):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(count):
            sock.sendto(str(number).encode(), address)
        numbers = []
        while True:
            data = sock.recv(100)
            if not data:
                return numbers
            numbers.append(int(data))
