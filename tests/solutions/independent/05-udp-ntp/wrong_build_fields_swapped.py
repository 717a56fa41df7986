"""Mistake (exercise 1): the header byte's fields are packed in the wrong order: mode in
the top bits and leap in the bottom ones (3 << 5 | 4 << 2 | 0)."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def build_request(transmit_time):
    fixed = round((transmit_time + NTP_EPOCH_OFFSET) * 2**32)
    return struct.pack("!B39xQ", 3 << 5 | 4 << 2 | 0, fixed)
