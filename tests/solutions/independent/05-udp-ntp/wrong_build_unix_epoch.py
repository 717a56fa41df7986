"""Mistake (exercise 1): the timestamp counts from 1970 (time.time() as is), not 1900: the
70 years of NTP_EPOCH_OFFSET are forgotten."""
import struct


def build_request(transmit_time):
    fixed = round(transmit_time * 2**32)
    return struct.pack("!B39xQ", 0x23, fixed)
