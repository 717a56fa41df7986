"""Mistake (exercise 2): the length is never checked: struct.unpack of a short packet
raises struct.error, which is not the ValueError the spec asks for."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def parse_reply(data):
    first, stratum, reference, originate, receive, transmit = struct.unpack("!BB14xQQQQ", data[:48])
    return {"leap": first >> 6, "version": first >> 3 & 7, "mode": first & 7, "stratum": stratum,
            "reference": reference / 2**32 - NTP_EPOCH_OFFSET, "originate": originate / 2**32 - NTP_EPOCH_OFFSET,
            "receive": receive / 2**32 - NTP_EPOCH_OFFSET, "transmit": transmit / 2**32 - NTP_EPOCH_OFFSET}
