"""Mistake (exercise 2): only the 32-bit seconds of each timestamp are read; the fraction
is dropped."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("short packet")
    first, stratum, reference, originate, receive, transmit = struct.unpack_from("!BB14xI4xI4xI4xI4x", data)
    return {"leap": first >> 6, "version": first >> 3 & 7, "mode": first & 7, "stratum": stratum,
            "reference": float(reference - NTP_EPOCH_OFFSET), "originate": float(originate - NTP_EPOCH_OFFSET),
            "receive": float(receive - NTP_EPOCH_OFFSET), "transmit": float(transmit - NTP_EPOCH_OFFSET)}
