"""Mistake (exercise 5): lost pings are left out of the list instead of being None, so the
list is shorter than count and entry i is no longer ping i."""
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
            while (left := deadline - time.perf_counter()) > 0:
                sock.settimeout(left)
                try:
                    data, _ = sock.recvfrom(1024)
                except TimeoutError:
                    break
                if data == payload:
                    results.append(time.perf_counter() - started)
                    break
    return results
