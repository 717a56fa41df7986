"""Mistake (exercise 5): any datagram that arrives is taken as the echo of the current ping:
a duplicate or a late echo of an earlier ping counts for this one, so losses are missed."""
import socket
import time


def ping(server, count=10, timeout=0.2):
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        for i in range(count):
            started = time.perf_counter()
            sock.sendto(b"ping %d" % i, server)
            try:
                sock.recvfrom(1024)
                results.append(time.perf_counter() - started)
            except TimeoutError:
                results.append(None)
    return results
