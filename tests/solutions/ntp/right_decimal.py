"""A correct solution: exact arithmetic with fractions.Fraction and divmod (eras by divmod
too), struct.unpack_from per field, a retry loop that counts attempts with a while loop and a
socket timeout that shrinks as the try's deadline nears, gethostbyname for the host, a pinger
that keeps a dict of pending sequence numbers."""

import socket
import struct
import time
from fractions import Fraction

OFFSET_1900 = 2_208_988_800


def build_request(transmit_time):
    seconds, fraction = divmod(Fraction(transmit_time) + OFFSET_1900, 1)
    units = round(fraction * 2**32)
    if units == 2**32:
        seconds, units = seconds + 1, 0
    return bytes([0b00100011]) + b"\x00" * 39 + struct.pack(">LL", int(seconds) % 2**32, units)


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("truncated SNTP packet")
    li_vn_mode, stratum = struct.unpack_from(">BB", data, 0)
    out = {"leap": (li_vn_mode & 0b11000000) >> 6, "version": (li_vn_mode & 0b00111000) >> 3,
           "mode": li_vn_mode & 0b00000111, "stratum": stratum}
    for name, at in (("reference", 16), ("originate", 24), ("receive", 32), ("transmit", 40)):
        sec, frac = struct.unpack_from(">LL", data, at)
        era = 0 if sec >> 31 else 1
        sec += era * 2**32
        out[name] = float(Fraction(sec - OFFSET_1900) + Fraction(frac, 2**32))
    return out


def sntp_query(server, timeout=0.5, tries=3):
    server = (socket.gethostbyname(server[0]), server[1])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    attempt = 0
    try:
        while attempt < tries:
            attempt += 1
            sent_at = time.time()
            request = build_request(sent_at)
            sock.sendto(request, server)
            give_up_at = time.monotonic() + timeout
            answer = None
            while answer is None and time.monotonic() < give_up_at:
                sock.settimeout(max(give_up_at - time.monotonic(), 0.001))
                try:
                    packet, origin = sock.recvfrom(4096)
                except TimeoutError:
                    break
                arrived = time.time()
                try:
                    fields = parse_reply(packet)
                except ValueError:
                    continue
                if origin == server and fields["mode"] == 4 and packet[24:32] == request[40:48]:
                    if fields["stratum"] == 0 or fields["leap"] == 3:
                        why = ("kiss code " + packet[12:16].decode("latin-1") if fields["stratum"] == 0
                               else "leap indicator 3")
                        raise ConnectionError(f"{server} has no time to give: {why}")
                    answer = fields, arrived
            if answer:
                fields, t4 = answer
                t1, t2, t3 = sent_at, fields["receive"], fields["transmit"]
                return ((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2)
    finally:
        sock.close()
    raise TimeoutError("gave up after %d tries" % tries)


def make_ntp_socket(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def _stamp(t):
    seconds, fraction = divmod(Fraction(t) + OFFSET_1900, 1)
    return struct.pack(">LL", int(seconds) % 2**32, min(round(fraction * 2**32), 2**32 - 1))


def serve_ntp(sock, clock=time.time):
    while True:
        try:
            data, addr = sock.recvfrom(1024)
        except OSError:
            continue
        t_recv = clock()
        if len(data) < 48 or (data[0] & 7) != 3:
            continue
        version = (data[0] >> 3) & 7
        head = struct.pack(">BBbbLL4s", (version << 3) | 4, 1, 6, -20, 0, 0, b"LOCL")
        sock.sendto(head + _stamp(t_recv) + data[40:48] + _stamp(t_recv) + _stamp(clock()), addr)


def ping(server, count=10, timeout=0.2):
    rtt = {}
    server = (socket.gethostbyname(server[0]), server[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for seq in range(count):
            start = time.perf_counter()
            sock.sendto(f"PING {seq} {start}".encode(), server)
            stop = start + timeout
            while seq not in rtt:
                now = time.perf_counter()
                if now >= stop:
                    break
                sock.settimeout(stop - now)
                try:
                    data, addr = sock.recvfrom(1024)
                except TimeoutError:
                    break
                words = data.split()
                if addr == tuple(server) and len(words) == 3 and words[1] == str(seq).encode():
                    rtt[seq] = time.perf_counter() - start
    return [rtt.get(seq) for seq in range(count)]
