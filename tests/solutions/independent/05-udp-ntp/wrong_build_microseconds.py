"""Mistake (exercise 1): the fraction is written in microseconds (like struct timeval)
instead of units of 2**-32 s."""
import struct
from datetime import datetime

NTP_EPOCH_OFFSET = int((datetime(1970, 1, 1) - datetime(1900, 1, 1)).total_seconds())


def build_request(transmit_time):
    seconds = int(transmit_time)
    micros = round((transmit_time - seconds) * 1_000_000)
    return struct.pack("!B39xII", 0x23, seconds + NTP_EPOCH_OFFSET, micros)
