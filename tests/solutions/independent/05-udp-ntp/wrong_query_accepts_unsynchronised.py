"""Mistake (exercise 3): leap indicator and stratum are never looked at: the time of a
server that is not synchronised, or of a kiss-o'-death, is returned as if it were good."""
import socket
import struct
import time

NTP_EPOCH_OFFSET = 2208988800


def build_request(transmit_time):
    return struct.pack("!B39xQ", 0x23, round((transmit_time + NTP_EPOCH_OFFSET) * 2**32) % 2**64)


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("short")
    first, stratum, *stamps = struct.unpack_from("!BB14xQQQQ", data)
    stamps = [s + 2**64 if s < 2**63 else s for s in stamps]    # era 1 (RFC 4330 section 3)
    names = ("reference", "originate", "receive", "transmit")
    out = {name: s / 2**32 - NTP_EPOCH_OFFSET for name, s in zip(names, stamps)}
    out.update(leap=first >> 6, version=first >> 3 & 7, mode=first & 7, stratum=stratum)
    return out


def sntp_query(server, timeout=0.5, tries=3):
    target = (socket.gethostbyname(server[0]), server[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _ in range(tries):
            t1 = time.time()
            request = build_request(t1)
            sock.sendto(request, target)
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                sock.settimeout(end - time.monotonic())
                try:
                    data, sender = sock.recvfrom(1024)
                except TimeoutError:
                    break
                t4 = time.time()
                if sender != target or len(data) < 48 or data[0] & 7 != 4 or data[24:32] != request[40:48]:
                    continue
                reply = parse_reply(data)
                t2, t3 = reply["receive"], reply["transmit"]
                return ((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2)
    raise TimeoutError("no valid reply")
