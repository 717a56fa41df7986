"""Mistake (measure_link): stop and wait: sends one datagram, waits for one answer, then sends the
next, and stops waiting after the last one's answer: late copies and datagrams that arrive after
their successor's turn are missed or misplaced."""

import socket


def measure_link(address, count, timeout=0.5):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        numbers = []
        for number in range(count):
            sock.sendto(str(number).encode(), address)
            try:
                numbers.append(int(sock.recv(100)))
            except TimeoutError:
                pass
        return numbers
