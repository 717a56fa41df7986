"""Mistake (exercise 1): the header byte 0x1b (version 3, mode 3) copied from an old
example, instead of version 4 (0x23)."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def build_request(transmit_time):
    fixed = round((transmit_time + NTP_EPOCH_OFFSET) * 2**32)
    return struct.pack("!B39xQ", 0x1B, fixed)
