"""Independent solution of notebook 05 (UDP, NTP), approach 2.

Seconds and fraction computed apart and written with int.to_bytes / read with
int.from_bytes; a client that waits with select() on a non-blocking socket; a server that
fills a bytearray reply with recvfrom_into; a pinger with select() and a binary sequence
number in its payload.
"""
import select
import socket
import time
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def _timestamp(unix_seconds):
    whole = int(unix_seconds // 1)
    fraction = round((unix_seconds - whole) * 2**32)
    if fraction == 2**32:                 # 0.99999999999 rounds up to the next second
        whole, fraction = whole + 1, 0
    seconds = (whole + NTP_EPOCH_OFFSET) % 2**32
    return seconds.to_bytes(4, "big") + fraction.to_bytes(4, "big")


def _unix(eight_bytes):
    seconds = int.from_bytes(eight_bytes[:4], "big")
    if seconds < 2**31:                   # era 1: 2036-02-07 and later
        seconds += 2**32
    fraction = int.from_bytes(eight_bytes[4:8], "big")
    return (seconds - NTP_EPOCH_OFFSET) + fraction / 2**32


def build_request(transmit_time):
    """Return a 48-byte SNTP request (LI 0, version 4, mode 3) stamped with transmit_time."""
    packet = bytearray(48)
    packet[0] = 0b00_100_011
    packet[40:48] = _timestamp(transmit_time)
    return bytes(packet)


def parse_reply(data):
    """Decode an SNTP packet into a dict (header fields, four timestamps as Unix time)."""
    data = bytes(data)
    if len(data) < 48:
        raise ValueError("short SNTP packet: %d bytes" % len(data))
    return {
        "leap": (data[0] & 0b1100_0000) >> 6,
        "version": (data[0] & 0b0011_1000) >> 3,
        "mode": data[0] & 0b0000_0111,
        "stratum": data[1],
        "reference": _unix(data[16:24]),
        "originate": _unix(data[24:32]),
        "receive": _unix(data[32:40]),
        "transmit": _unix(data[40:48]),
    }


def _valid(data, sender, target, request):
    return (sender[:2] == target and len(data) >= 48
            and parse_reply(data)["mode"] == 4 and data[24:32] == request[40:48])


def sntp_query(server, timeout=0.5, tries=3):
    """Ask the SNTP server at server = (host, port) for the time; return (offset, delay)."""
    infos = socket.getaddrinfo(server[0], server[1], socket.AF_INET, socket.SOCK_DGRAM)
    target = infos[0][4]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    try:
        for attempt in range(tries):
            t1 = time.time()
            request = build_request(t1)
            sock.sendto(request, target)
            give_up = time.monotonic() + timeout
            while (left := give_up - time.monotonic()) > 0:
                readable, _, _ = select.select([sock], [], [], left)
                if not readable:
                    break
                try:
                    data, sender = sock.recvfrom(4096)
                except (BlockingIOError, ConnectionRefusedError):
                    continue
                t4 = time.time()
                if not _valid(data, sender, target, request):
                    continue
                fields = parse_reply(data)
                if fields["stratum"] == 0 or fields["leap"] == 3:
                    reason = ("kiss code " + repr(data[12:16]) if fields["stratum"] == 0
                              else "clock not synchronised")
                    raise ConnectionError("SNTP server refused: " + reason)
                t2, t3 = fields["receive"], fields["transmit"]
                return ((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2)
        raise TimeoutError("SNTP: no valid reply after %d tries of %s s" % (tries, timeout))
    finally:
        sock.close()


def make_ntp_socket(host, port):
    """Return a UDP socket bound to (host, port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def serve_ntp(sock, clock=time.time):
    """Answer SNTP requests on sock forever, telling the time clock() returns."""
    incoming = bytearray(1500)
    reply = bytearray(48)
    while True:
        try:
            size, sender = sock.recvfrom_into(incoming)
        except OSError:
            continue
        arrived = _timestamp(clock())
        if size < 48 or incoming[0] & 7 != 3:
            continue
        reply[:] = bytes(48)
        reply[0] = (incoming[0] & 0b0011_1000) | 4       # LI 0, the request's version, mode 4
        reply[1] = 1                                     # stratum 1
        reply[12:16] = b"LOCL"
        reply[16:24] = arrived
        reply[24:32] = incoming[40:48]
        reply[32:40] = arrived
        reply[40:48] = _timestamp(clock())
        try:
            sock.sendto(reply, sender)
        except OSError:
            pass


def ping(server, count=10, timeout=0.2):
    """Ping the UDP echo server at server count times; list of RTTs in seconds or None."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    rtts = [None] * count
    try:
        for number in range(count):
            tag = number.to_bytes(4, "big")
            sent_at = time.perf_counter()
            sock.sendto(tag, server)
            while (left := sent_at + timeout - time.perf_counter()) > 0:
                if not select.select([sock], [], [], left)[0]:
                    break
                try:
                    echo = sock.recv(2048)
                except (BlockingIOError, ConnectionRefusedError):
                    continue
                if echo == tag:
                    rtts[number] = time.perf_counter() - sent_at
                    break
    finally:
        sock.close()
    return rtts
