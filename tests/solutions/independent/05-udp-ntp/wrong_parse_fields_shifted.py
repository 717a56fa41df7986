"""Mistake (exercise 2): the timestamps are read one field off (reference from byte 24,
originate from 32, ...), as if the reference ID were 12 bytes long."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("short packet")
    data = bytes(data) + bytes(8)
    first, stratum, reference, originate, receive, transmit = struct.unpack_from("!BB22xQQQQ", data)
    return {"leap": first >> 6, "version": first >> 3 & 7, "mode": first & 7, "stratum": stratum,
            "reference": reference / 2**32 - NTP_EPOCH_OFFSET, "originate": originate / 2**32 - NTP_EPOCH_OFFSET,
            "receive": receive / 2**32 - NTP_EPOCH_OFFSET, "transmit": transmit / 2**32 - NTP_EPOCH_OFFSET}
