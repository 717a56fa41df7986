"""Independent solution of notebook 05 (UDP, NTP), approach 3: legitimate but less common choices.

The fraction truncated with int() (as ntplib and RFC practice do), not rounded; a
connected UDP socket for the client (the kernel drops datagrams from any other address and
port) with select() for the deadline; a server that precomputes nothing and copies fields
with slicing; a pinger on a connected socket.
"""
import select
import socket
import struct
import time
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def _stamp(unix_seconds):
    ntp = unix_seconds + NTP_EPOCH_OFFSET
    seconds = int(ntp)
    fraction = int((ntp - seconds) * 2**32)          # truncated
    return struct.pack("!II", seconds & 0xFFFFFFFF, fraction)


def build_request(transmit_time):
    """Return a 48-byte SNTP request (LI 0, version 4, mode 3) stamped with transmit_time."""
    return bytes([(0 << 6) | (4 << 3) | 3]) + bytes(39) + _stamp(transmit_time)


def parse_reply(data):
    """Decode an SNTP packet into a dict (header fields, four timestamps as Unix time)."""
    if len(data) < 48:
        raise ValueError("an SNTP packet is at least 48 bytes")
    words = struct.unpack("!12I", bytes(data[:48]))
    era = [0 if words[i] & 0x80000000 else 2**32 for i in (4, 6, 8, 10)]     # RFC 4330 section 3
    stamps = [words[i] + e - NTP_EPOCH_OFFSET + words[i + 1] / 2**32 for i, e in zip((4, 6, 8, 10), era)]
    first = data[0]
    return dict(leap=first >> 6 & 3, version=first >> 3 & 7, mode=first & 7, stratum=data[1],
                reference=stamps[0], originate=stamps[1], receive=stamps[2], transmit=stamps[3])


def sntp_query(server, timeout=0.5, tries=3):
    """Ask the SNTP server at server = (host, port) for the time; return (offset, delay)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect(server)          # only datagrams from exactly this address and port
        for _ in range(tries):
            t1 = time.time()
            request = build_request(t1)
            try:
                sock.send(request)
            except ConnectionRefusedError:     # an ICMP error left from an earlier try
                sock.send(request)
            end = time.monotonic() + timeout
            while True:
                left = end - time.monotonic()
                if left <= 0 or not select.select([sock], [], [], left)[0]:
                    break
                try:
                    data = sock.recv(1024)
                except ConnectionRefusedError:
                    continue
                t4 = time.time()
                if len(data) < 48 or data[0] & 7 != 4 or data[24:32] != request[40:48]:
                    continue
                if data[1] == 0:
                    raise ConnectionRefusedError("kiss-o'-death " + data[12:16].decode("latin-1"))
                if data[0] >> 6 == 3:
                    raise ConnectionError("unsynchronised server")
                reply = parse_reply(data)
                t2, t3 = reply["receive"], reply["transmit"]
                return ((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2)
        raise TimeoutError("no valid SNTP reply")
    finally:
        sock.close()


def make_ntp_socket(host, port):
    """Return a UDP socket bound to (host, port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def serve_ntp(sock, clock=time.time):
    """Answer SNTP requests on sock forever, telling the time clock() returns."""
    while True:
        try:
            request, client = sock.recvfrom(65535)
        except OSError:
            continue
        t2 = _stamp(clock())
        if len(request) < 48 or request[0] & 7 != 3:
            continue
        header = bytes([request[0] & 0b0011_1000 | 4, 1, request[2], 0xEC]) + bytes(8) + b"LOCL"
        reply = header + t2 + request[40:48] + t2 + _stamp(clock())
        try:
            sock.sendto(reply, client)
        except OSError:
            pass


def ping(server, count=10, timeout=0.2):
    """Ping the UDP echo server at server count times; list of RTTs in seconds or None."""
    rtts = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(server)
        for seq in range(count):
            message = struct.pack("!I", seq) + b" ping"
            t0 = time.perf_counter()
            sock.send(message)
            rtt = None
            while (left := t0 + timeout - time.perf_counter()) > 0:
                sock.settimeout(left)
                try:
                    if sock.recv(2048) == message:
                        rtt = time.perf_counter() - t0
                        break
                except (TimeoutError, ConnectionRefusedError):
                    if time.perf_counter() - t0 >= timeout:
                        break
            rtts.append(rtt)
    return rtts
