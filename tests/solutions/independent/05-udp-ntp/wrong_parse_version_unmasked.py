"""Mistake (exercise 2): version = first >> 3 without the mask: the leap bits stay in it
(a reply with LI 3 says version 28)."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("short packet")
    first, stratum, reference, originate, receive, transmit = struct.unpack_from("!BB14xQQQQ", data)
    return {"leap": first >> 6, "version": first >> 3, "mode": first & 7, "stratum": stratum,
            "reference": reference / 2**32 - NTP_EPOCH_OFFSET, "originate": originate / 2**32 - NTP_EPOCH_OFFSET,
            "receive": receive / 2**32 - NTP_EPOCH_OFFSET, "transmit": transmit / 2**32 - NTP_EPOCH_OFFSET}
