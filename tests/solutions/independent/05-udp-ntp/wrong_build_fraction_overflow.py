"""Mistake (exercise 1): seconds and fraction are computed apart and the fraction is
rounded, but a fraction that rounds up to 2**32 is not carried into the seconds: struct
refuses it (or it would wrap to zero)."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def build_request(transmit_time):
    seconds = int(transmit_time)
    fraction = round((transmit_time - seconds) * 2**32)
    return struct.pack("!B39xII", 0x23, (seconds + NTP_EPOCH_OFFSET) % 2**32, fraction)
