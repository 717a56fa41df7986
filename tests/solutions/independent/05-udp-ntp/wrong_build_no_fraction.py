"""Mistake (exercise 1): only the whole seconds are sent; the fraction stays zero."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def build_request(transmit_time):
    return struct.pack("!B39xII", 0x23, int(transmit_time) + NTP_EPOCH_OFFSET, 0)
