"""Mistake (exercise 5): the clock is started once, before the first ping, so every
"round-trip time" is the time since the whole run began."""
import socket
import time


def ping(server, count=10, timeout=0.2):
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        started = time.perf_counter()
        for i in range(count):
            payload = b"ping %d" % i
            sock.sendto(payload, server)
            deadline = time.perf_counter() + timeout
            rtt = None
            while (left := deadline - time.perf_counter()) > 0:
                sock.settimeout(left)
                try:
                    data, _ = sock.recvfrom(1024)
                except TimeoutError:
                    break
                if data == payload:
                    rtt = time.perf_counter() - started
                    break
            results.append(rtt)
    return results
