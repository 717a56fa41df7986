"""Mistake (exercise 5): all pings are sent at once and the echoes collected afterwards,
instead of one after the other (send ping i, wait for its echo, then ping i + 1)."""
import socket
import time


def ping(server, count=10, timeout=0.2):
    sent = {}
    results = [None] * count
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for i in range(count):
            sent[b"ping %d" % i] = (i, time.perf_counter())
            sock.sendto(b"ping %d" % i, server)
        deadline = time.perf_counter() + timeout
        while (left := deadline - time.perf_counter()) > 0:
            sock.settimeout(left)
            try:
                data, _ = sock.recvfrom(1024)
            except TimeoutError:
                break
            if data in sent and results[sent[data][0]] is None:
                i, started = sent[data]
                results[i] = time.perf_counter() - started
    return results
