"""Mistake (measure_link): `timeout` used as the total time for receiving, from the end of the
sending, instead of as the silence that ends it: a link that keeps answering is cut off."""

import socket
import time


def measure_link(address, count, timeout=0.5):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(count):
            sock.sendto(str(number).encode(), address)
        deadline = time.monotonic() + timeout
        numbers = []
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                numbers.append(int(sock.recv(100)))
            except TimeoutError:
                break
        return numbers
