"""Mistake (exercise 5): echoes of other pings are ignored, but each recvfrom gets the whole
timeout again, so a ping whose wait was extended by stray datagrams can be counted as
answered after more than `timeout` seconds."""
import socket
import time


def ping(server, count=10, timeout=0.2):
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        for i in range(count):
            payload = b"ping %d" % i
            started = time.perf_counter()
            sock.sendto(payload, server)
            rtt = None
            while True:
                try:
                    data, _ = sock.recvfrom(1024)
                except TimeoutError:
                    break
                if data == payload:
                    rtt = time.perf_counter() - started
                    break
            results.append(rtt)
    return results
