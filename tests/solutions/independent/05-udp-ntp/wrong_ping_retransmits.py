"""Mistake (exercise 5): a ping without an echo is sent again (as an SNTP client would),
so a ping the network lost is reported with a round-trip time; the spec says send each
ping once."""
import socket
import time


def ping(server, count=10, timeout=0.2):
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for i in range(count):
            payload = b"ping %d" % i
            rtt = None
            for _attempt in range(3):
                started = time.perf_counter()
                sock.sendto(payload, server)
                deadline = started + timeout / 3
                while (left := deadline - time.perf_counter()) > 0:
                    sock.settimeout(left)
                    try:
                        data, _ = sock.recvfrom(1024)
                    except TimeoutError:
                        break
                    if data == payload:
                        rtt = time.perf_counter() - started
                        break
                if rtt is not None:
                    break
            results.append(rtt)
    return results
