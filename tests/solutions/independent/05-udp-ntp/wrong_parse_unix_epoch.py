"""Mistake (exercise 2): the timestamps are returned as seconds since 1900; the 70 years
between the epochs are not subtracted."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("short packet")
    first, stratum, reference, originate, receive, transmit = struct.unpack_from("!BB14xQQQQ", data)
    return {"leap": first >> 6, "version": first >> 3 & 7, "mode": first & 7, "stratum": stratum,
            "reference": reference / 2**32, "originate": originate / 2**32,
            "receive": receive / 2**32, "transmit": transmit / 2**32}
