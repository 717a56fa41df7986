"""Mistake (exercise 5): an echo counts only if its sender equals server as given: called with
('localhost', port), every echo comes from ('127.0.0.1', port) and every ping looks lost."""
import socket
import time


def ping(server, count=10, timeout=0.2):
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for i in range(count):
            payload = b"seq %d" % i
            sent = time.perf_counter()
            sock.sendto(payload, server)
            rtt = None
            while (left := sent + timeout - time.perf_counter()) > 0:
                sock.settimeout(left)
                try:
                    data, sender = sock.recvfrom(1024)
                except TimeoutError:
                    break
                if sender == server and data == payload:
                    rtt = time.perf_counter() - sent
                    break
            rtts.append(rtt)
    return rtts
