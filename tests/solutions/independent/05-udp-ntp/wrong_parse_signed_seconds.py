"""Mistake (exercise 2): the 32-bit seconds are read as signed ('i'); every date after
1968 has the top bit set and comes out 136 years early."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("short packet")
    first, stratum, *fields = struct.unpack_from("!BB14xiIiIiIiI", data)
    times = [fields[i] + fields[i + 1] / 2**32 - NTP_EPOCH_OFFSET for i in range(0, 8, 2)]
    return {"leap": first >> 6, "version": first >> 3 & 7, "mode": first & 7, "stratum": stratum,
            "reference": times[0], "originate": times[1], "receive": times[2], "transmit": times[3]}
