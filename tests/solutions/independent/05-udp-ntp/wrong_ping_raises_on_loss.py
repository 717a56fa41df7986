"""Mistake (exercise 5): the socket timeout is not caught: the first lost ping raises
TimeoutError instead of giving None."""
import socket
import time


def ping(server, count=10, timeout=0.2):
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for i in range(count):
            payload = b"ping %d" % i
            started = time.perf_counter()
            sock.sendto(payload, server)
            deadline = started + timeout
            while True:
                sock.settimeout(max(deadline - time.perf_counter(), 1e-6))
                data, _ = sock.recvfrom(1024)
                if data == payload:
                    results.append(time.perf_counter() - started)
                    break
    return results
