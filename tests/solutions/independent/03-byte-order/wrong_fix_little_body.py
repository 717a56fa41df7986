"""Mistake (reading fix): "=" replaced by "<" in the body, which is the same little-endian order
on a PC: the bug is still there."""

import struct

VERSION, READING = 1, 2


def buggy_fields():
    return ["sensor_id", "tenths"]


def encode_reading_fixed(seq, sensor_id, tenths):
    return struct.pack("!BBHI", VERSION, READING, 4, seq) + struct.pack("<Hh", sensor_id, tenths)
