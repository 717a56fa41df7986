"""A correct solution: struct for whole packets (64-bit timestamps modulo 2**64, era by the
top bit), a settimeout loop with one deadline per try and the host resolved by getaddrinfo,
a server that builds its reply with one struct.pack, a settimeout pinger."""

import socket
import struct
import time

NTP_EPOCH = 2208988800
PACKET = struct.Struct("!BBbbII4sQQQQ")   # the 48 bytes as 11 fields, timestamps as 64-bit numbers


def _to_fixed(unix_time):
    return round((unix_time + NTP_EPOCH) * 2**32) % 2**64


def _from_fixed(fixed):
    if fixed < 2**63:          # top bit of the seconds clear: era 1 (2036-2104)
        fixed += 2**64
    return fixed / 2**32 - NTP_EPOCH


def build_request(transmit_time):
    return PACKET.pack(0x23, 0, 0, 0, 0, 0, b"\0" * 4, 0, 0, 0, _to_fixed(transmit_time))


def parse_reply(data):
    if len(data) < PACKET.size:
        raise ValueError("short packet: %d bytes" % len(data))
    first, stratum, _poll, _prec, _delay, _disp, _ref, reference, originate, receive, transmit = \
        PACKET.unpack(data[:PACKET.size])
    return dict(leap=first >> 6, version=(first >> 3) & 7, mode=first & 7, stratum=stratum,
                reference=_from_fixed(reference), originate=_from_fixed(originate),
                receive=_from_fixed(receive), transmit=_from_fixed(transmit))


def sntp_query(server, timeout=0.5, tries=3):
    family, kind, proto, _name, address = socket.getaddrinfo(server[0], server[1], socket.AF_INET,
                                                              socket.SOCK_DGRAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        for _attempt in range(tries):
            t1 = time.time()
            request = build_request(t1)
            sock.sendto(request, address)
            end = time.monotonic() + timeout
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(left)
                try:
                    data, sender = sock.recvfrom(512)
                except socket.timeout:
                    break
                t4 = time.time()
                if sender != address or len(data) < 48:
                    continue
                reply = parse_reply(data)
                if reply["mode"] != 4 or data[24:32] != request[40:48]:
                    continue
                if reply["stratum"] == 0:
                    raise ConnectionRefusedError("kiss-o'-death, code %r" % data[12:16].decode("ascii", "replace"))
                if reply["leap"] == 3:
                    raise ConnectionError("the server's clock is not synchronised")
                t2, t3 = reply["receive"], reply["transmit"]
                return ((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2)
    finally:
        sock.close()
    raise TimeoutError("no answer from %s:%d" % tuple(server))


def make_ntp_socket(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def serve_ntp(sock, clock=time.time):
    while True:
        data, client = sock.recvfrom(2048)
        t2 = clock()
        if len(data) < 48 or data[0] & 7 != 3:
            continue
        first = (data[0] & 0b00111000) | 4
        (originate,) = struct.unpack("!Q", data[40:48])
        (poll,) = struct.unpack_from("!b", data, 2)     # signed: a client may poll every 2**-6 s
        reply = PACKET.pack(first, 1, poll, -18, 0, 0, b"LOCL", _to_fixed(t2), originate,
                            _to_fixed(t2), _to_fixed(clock()))
        sock.sendto(reply, client)


def ping(server, count=10, timeout=0.2):
    results = [None] * count
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for seq in range(count):
            message = b"%d %f" % (seq, time.time())
            start = time.perf_counter()
            sock.sendto(message, server)
            while True:
                left = start + timeout - time.perf_counter()
                if left <= 0:
                    break
                sock.settimeout(left)
                try:
                    data, _ = sock.recvfrom(1024)
                except socket.timeout:
                    break
                if data.split(b" ")[0] == b"%d" % seq:
                    results[seq] = time.perf_counter() - start
                    break
    return results
