"""ping, wrong in the classic ways (each function is one mistake)."""

import select
import socket
import time


def takes_any_datagram(server, count=10, timeout=0.2):
    """Takes whatever arrives as the echo of the current ping: a duplicate echo of the previous
    ping counts as this one's, so a lost ping looks received."""
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        for seq in range(count):
            start = time.perf_counter()
            sock.sendto(b"ping %d" % seq, server)
            try:
                sock.recvfrom(1024)
                rtts.append(time.perf_counter() - start)
            except TimeoutError:
                rtts.append(None)
    return rtts


def counts_duplicates_twice(server, count=10, timeout=0.2):
    """Collects every echo for the whole timeout and records one entry per echo received."""
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for seq in range(count):
            start = time.perf_counter()
            sock.sendto(b"ping %d" % seq, server)
            got = 0
            while (left := start + timeout - time.perf_counter()) > 0:
                sock.settimeout(left)
                try:
                    data, _ = sock.recvfrom(1024)
                except TimeoutError:
                    break
                if data == b"ping %d" % seq:
                    got += 1
                    rtts.append(time.perf_counter() - start)
            if not got:
                rtts.append(None)
    return rtts


def compares_given_tuple(server, count=10, timeout=0.2):
    """Takes only echoes whose sender equals server as given: with ('localhost', port) none does."""
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for seq in range(count):
            start = time.perf_counter()
            sock.sendto(b"ping %d" % seq, server)
            rtt = None
            while rtt is None and (left := start + timeout - time.perf_counter()) > 0:
                sock.settimeout(left)
                try:
                    data, sender = sock.recvfrom(1024)
                except TimeoutError:
                    break
                if sender == tuple(server) and data == b"ping %d" % seq:
                    rtt = time.perf_counter() - start
            rtts.append(rtt)
    return rtts


def milliseconds(server, count=10, timeout=0.2):
    """Right, but reports each round-trip time in milliseconds."""
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for seq in range(count):
            start = time.perf_counter()
            sock.sendto(b"ping %d" % seq, server)
            rtt = None
            while rtt is None and (left := start + timeout - time.perf_counter()) > 0:
                sock.settimeout(left)
                try:
                    data, _sender = sock.recvfrom(1024)
                except TimeoutError:
                    break
                if data == b"ping %d" % seq:
                    rtt = (time.perf_counter() - start) * 1000
            rtts.append(rtt)
    return rtts


def timeout_is_an_error(server, count=10, timeout=0.2):
    """Lets the first lost ping's TimeoutError escape."""
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        for seq in range(count):
            start = time.perf_counter()
            sock.sendto(b"ping %d" % seq, server)
            while sock.recvfrom(1024)[0] != b"ping %d" % seq:
                pass
            rtts.append(time.perf_counter() - start)
    return rtts


def retransmits(server, count=10, timeout=0.2):
    """Sends a lost ping again (a pinger measures loss; it must not repair it)."""
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout / 2)
        for seq in range(count):
            start = time.perf_counter()
            rtt = None
            for _ in range(2):
                sock.sendto(b"ping %d" % seq, server)
                try:
                    while sock.recvfrom(1024)[0] != b"ping %d" % seq:
                        pass
                    rtt = time.perf_counter() - start
                    break
                except TimeoutError:
                    continue
            rtts.append(rtt)
    return rtts


def timeout_per_recv(server, count=10, timeout=0.2):
    """Ignores the echoes of other pings, but gives each select() the whole timeout again: stray
    datagrams stretch the wait, and an echo that comes after the timeout is counted."""
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for seq in range(count):
            start = time.perf_counter()
            sock.sendto(b"ping %d" % seq, server)
            rtt = None
            while select.select([sock], [], [], timeout)[0]:
                if sock.recv(1024) == b"ping %d" % seq:
                    rtt = time.perf_counter() - start
                    break
            rtts.append(rtt)
    return rtts
