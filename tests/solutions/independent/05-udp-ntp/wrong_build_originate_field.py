"""Mistake (exercise 1): the transmit time is written into the originate field (bytes
24-31) instead of the transmit field (bytes 40-47)."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def build_request(transmit_time):
    fixed = round((transmit_time + NTP_EPOCH_OFFSET) * 2**32)
    return struct.pack("!B23xQ16x", 0x23, fixed)
