"""Mistake (exercise 5): the round-trip times are reported in milliseconds, as ping(8) prints
them, not in seconds."""
import socket
import time


def ping(server, count=10, timeout=0.2):
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for i in range(count):
            payload = i.to_bytes(4, "big")
            sent = time.perf_counter()
            sock.sendto(payload, server)
            rtt = None
            while (left := sent + timeout - time.perf_counter()) > 0:
                sock.settimeout(left)
                try:
                    data, _ = sock.recvfrom(1024)
                except TimeoutError:
                    break
                if data == payload:
                    rtt = round((time.perf_counter() - sent) * 1000, 3)
                    break
            rtts.append(rtt)
    return rtts
