"""Independent solution of notebook 05 (UDP, NTP), approach 1.

The whole 64-bit timestamp as one integer, struct with '!' for every packet; a client that
waits with settimeout(remaining); a server loop on recvfrom; a pinger with settimeout.
"""
import socket
import struct
import time
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())

_PACKET = struct.Struct("!BBbbII4sQQQQ")       # 48 bytes


def _to_ntp(unix_seconds):
    return round((unix_seconds + NTP_EPOCH_OFFSET) * 2**32) % 2**64    # era 1 wraps, RFC 4330 section 3


def _from_ntp(value):
    if not value >> 63:            # top bit of the seconds clear: 2036-2104
        value += 2**64
    return value / 2**32 - NTP_EPOCH_OFFSET


def build_request(transmit_time):
    """Return a 48-byte SNTP request (LI 0, version 4, mode 3) stamped with transmit_time."""
    return _PACKET.pack((0 << 6) | (4 << 3) | 3, 0, 0, 0, 0, 0, b"\0\0\0\0",
                        0, 0, 0, _to_ntp(transmit_time))


def parse_reply(data):
    """Decode an SNTP packet into a dict (header fields, four timestamps as Unix time)."""
    if len(data) < 48:
        raise ValueError(f"an SNTP packet has 48 bytes, this one {len(data)}")
    first, stratum, _poll, _precision, _delay, _disp, _ref_id, reference, originate, receive, transmit = \
        _PACKET.unpack_from(data)
    return {
        "leap": first >> 6,
        "version": (first >> 3) & 0b111,
        "mode": first & 0b111,
        "stratum": stratum,
        "reference": _from_ntp(reference),
        "originate": _from_ntp(originate),
        "receive": _from_ntp(receive),
        "transmit": _from_ntp(transmit),
    }


def sntp_query(server, timeout=0.5, tries=3):
    """Ask the SNTP server at server = (host, port) for the time; return (offset, delay)."""
    host, port = server
    target = (socket.gethostbyname(host), port)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _ in range(tries):
            t1 = time.time()
            request = build_request(t1)
            sock.sendto(request, target)
            deadline = time.monotonic() + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                sock.settimeout(remaining)
                try:
                    data, sender = sock.recvfrom(1024)
                except TimeoutError:
                    break
                t4 = time.time()
                if sender != target or len(data) < 48 or data[0] & 0b111 != 4:
                    continue
                if data[24:32] != request[40:48]:
                    continue
                reply = parse_reply(data)
                if reply["stratum"] == 0:
                    raise ConnectionError(f"kiss-o'-death from {server}: {data[12:16].decode('ascii', 'replace')}")
                if reply["leap"] == 3:
                    raise ConnectionError(f"{server} is not synchronised (leap indicator 3)")
                t2, t3 = reply["receive"], reply["transmit"]
                offset = ((t2 - t1) + (t3 - t4)) / 2
                delay = (t4 - t1) - (t3 - t2)
                return offset, delay
    raise TimeoutError(f"no valid SNTP reply from {server} after {tries} tries")


def make_ntp_socket(host, port):
    """Return a UDP socket bound to (host, port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def serve_ntp(sock, clock=time.time):
    """Answer SNTP requests on sock forever, telling the time clock() returns."""
    while True:
        try:
            data, sender = sock.recvfrom(2048)
        except OSError:
            continue
        received = clock()
        if len(data) < 48 or data[0] & 0b111 != 3:
            continue
        version = (data[0] >> 3) & 0b111
        originate = struct.unpack_from("!Q", data, 40)[0]
        reply = _PACKET.pack((0 << 6) | (version << 3) | 4, 1, 0, -20, 0, 0, b"LOCL",
                             _to_ntp(received), originate, _to_ntp(received), _to_ntp(clock()))
        try:
            sock.sendto(reply, sender)
        except OSError:
            pass


def ping(server, count=10, timeout=0.2):
    """Ping the UDP echo server at server count times; list of RTTs in seconds or None."""
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for i in range(count):
            payload = b"ping %d" % i
            started = time.perf_counter()
            sock.sendto(payload, server)
            deadline = started + timeout
            rtt = None
            while True:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    break
                sock.settimeout(remaining)
                try:
                    data, _ = sock.recvfrom(1024)
                except TimeoutError:
                    break
                if data == payload:
                    rtt = time.perf_counter() - started
                    break
            results.append(rtt)
    return results
