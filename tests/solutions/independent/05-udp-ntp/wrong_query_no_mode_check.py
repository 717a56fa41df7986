"""Mistake (exercise 3): the mode is not checked, so a mode-3 packet (a client request
reflected back, with the right originate) is taken for the server's reply."""
import socket
import struct
import time
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def build_request(transmit_time):
    return struct.pack("!B39xQ", 0x23, round((transmit_time + NTP_EPOCH_OFFSET) * 2**32))


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("short packet")
    first, stratum, *stamps = struct.unpack_from("!BB14xQQQQ", data)
    stamps = [s if s >= 2**63 else s + 2**64 for s in stamps]   # era 1 (2036-2104) below 2**63
    reference, originate, receive, transmit = (s / 2**32 - NTP_EPOCH_OFFSET for s in stamps)
    return {"leap": first >> 6, "version": first >> 3 & 7, "mode": first & 7, "stratum": stratum,
            "code": bytes(data[12:16]).decode("ascii", "replace"),
            "reference": reference, "originate": originate, "receive": receive, "transmit": transmit}


def _result(t1, reply, t4):
    if reply["stratum"] == 0:
        raise ConnectionError("kiss-o'-death: " + reply["code"])
    if reply["leap"] == 3:
        raise ConnectionError("the server is not synchronised")
    t2, t3 = reply["receive"], reply["transmit"]
    return ((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2)


def sntp_query(server, timeout=0.5, tries=3):
    server = (socket.gethostbyname(server[0]), server[1])   # replies come from an address
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _ in range(tries):
            t1 = time.time()
            request = build_request(t1)
            sock.sendto(request, server)
            deadline = time.monotonic() + timeout
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                try:
                    data, sender = sock.recvfrom(1024)
                except TimeoutError:
                    break
                t4 = time.time()
                if sender == server and len(data) >= 48 and data[24:32] == request[40:48]:
                    return _result(t1, parse_reply(data), t4)
    raise TimeoutError("no reply")
