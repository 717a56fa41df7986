"""Mistake (exercise 2): the length is never checked: struct.unpack of a short packet
raises struct.error, which is not the ValueError the spec asks for."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def parse_reply(data):
    first, stratum, *stamps = struct.unpack("!BB14xQQQQ", data[:48])
    reference, originate, receive, transmit = (s if s >= 2**63 else s + 2**64 for s in stamps)   # era 1
    return {"leap": first >> 6, "version": first >> 3 & 7, "mode": first & 7, "stratum": stratum,
            "reference": reference / 2**32 - NTP_EPOCH_OFFSET, "originate": originate / 2**32 - NTP_EPOCH_OFFSET,
            "receive": receive / 2**32 - NTP_EPOCH_OFFSET, "transmit": transmit / 2**32 - NTP_EPOCH_OFFSET}
