"""Mistake (measure_link): receives exactly `count` datagrams (as many as were sent): a duplicate
beyond that is never read, and with a loss the loop ends only by its timeout."""

import socket


def measure_link(address, count, timeout=0.5):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(count):
            sock.sendto(str(number).encode(), address)
        sock.settimeout(timeout)
        numbers = []
        try:
            for _ in range(count):
                numbers.append(int(sock.recv(100)))
        except TimeoutError:
            pass
        return numbers
