"""A correct solution: int.from_bytes / to_bytes slices (seconds % 2**32, era by comparison),
a connected UDP socket with select for the retry loop (the kernel resolves the name and drops
datagrams from other addresses and ports), a server that builds its reply in a bytearray, a
pinger that matches echoes by their whole payload."""

import select
import socket
import time
from datetime import datetime, timezone

EPOCH_GAP = int((datetime(1970, 1, 1, tzinfo=timezone.utc) - datetime(1900, 1, 1, tzinfo=timezone.utc))
                .total_seconds())


def ntp_time(unix_seconds):
    whole = int(unix_seconds // 1)
    frac = int((unix_seconds - whole) * 4294967296)
    return ((whole + EPOCH_GAP) % 4294967296).to_bytes(4, "big") + frac.to_bytes(4, "big")


def unix_time(eight):
    seconds = int.from_bytes(eight[:4], "big")
    if seconds < 2147483648:
        seconds += 4294967296   # era 1
    fraction = int.from_bytes(eight[4:], "big")
    return seconds - EPOCH_GAP + fraction / 4294967296


def build_request(transmit_time):
    packet = bytearray(48)
    packet[0] = (0 << 6) + (4 << 3) + 3
    packet[40:48] = ntp_time(transmit_time)
    return bytes(packet)


def parse_reply(data):
    if len(data) < 48:
        raise ValueError(f"need 48 bytes, got {len(data)}")
    names = ("reference", "originate", "receive", "transmit")
    fields = {name: unix_time(data[16 + 8 * i:24 + 8 * i]) for i, name in enumerate(names)}
    fields.update(leap=data[0] // 64, version=data[0] // 8 % 8, mode=data[0] % 8, stratum=data[1])
    return fields


def sntp_query(server, timeout=0.5, tries=3):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(tuple(server))       # from now on only the server's datagrams reach us
        sock.setblocking(False)
        for _ in range(tries):
            t1 = time.time()
            request = build_request(t1)
            sock.send(request)
            deadline = time.monotonic() + timeout
            while (remaining := deadline - time.monotonic()) > 0:
                if not select.select([sock], [], [], remaining)[0]:
                    break
                try:
                    data = sock.recv(1024)
                except (BlockingIOError, ConnectionRefusedError):
                    continue
                t4 = time.time()
                if len(data) >= 48 and data[0] % 8 == 4 and data[24:32] == request[40:48]:
                    if data[1] == 0:
                        raise ConnectionRefusedError(f"kiss-o'-death: {data[12:16]!r}")
                    if data[0] // 64 == 3:
                        raise ConnectionError("server not synchronised (LI=3)")
                    fields = parse_reply(data)
                    t2, t3 = fields["receive"], fields["transmit"]
                    delay = (t4 - t1) - (t3 - t2)
                    offset = (t2 - t1 + t3 - t4) / 2
                    return offset, delay
    raise TimeoutError(f"{tries} requests to {server} went unanswered")


def make_ntp_socket(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, port))
    return s


def serve_ntp(sock, clock=time.time):
    while True:
        request, who = sock.recvfrom(1024)
        arrived = clock()
        if len(request) < 48 or request[0] % 8 != 3:
            continue
        reply = bytearray(48)
        reply[0] = (request[0] // 8 % 8) * 8 + 4
        reply[1] = 1
        reply[2] = request[2]
        reply[3] = 0xEC                    # precision -20
        reply[12:16] = b"LOCL"
        reply[16:24] = ntp_time(arrived)
        reply[24:32] = request[40:48]
        reply[32:40] = ntp_time(arrived)
        reply[40:48] = ntp_time(clock())
        sock.sendto(reply, who)


def ping(server, count=10, timeout=0.2):
    rtts = []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    try:
        for n in range(count):
            payload = ("seq=%06d" % n).encode()
            t0 = time.perf_counter()
            sock.sendto(payload, tuple(server))
            answer = None
            while answer is None:
                left = t0 + timeout - time.perf_counter()
                if left <= 0 or not select.select([sock], [], [], left)[0]:
                    break
                data, sender = sock.recvfrom(1024)
                if data == payload:
                    answer = time.perf_counter() - t0
            rtts.append(answer)
    finally:
        sock.close()
    return rtts
