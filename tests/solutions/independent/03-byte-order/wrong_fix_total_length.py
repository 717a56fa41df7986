"""Mistake (reading fix): the header's length field counts the whole message (12 bytes) instead
of the payload after the header (4 bytes)."""

import struct

VERSION, READING = 1, 2


def buggy_fields():
    return ["sensor_id", "tenths"]


def encode_reading_fixed(seq, sensor_id, tenths):
    return struct.pack("!BBHIHh", VERSION, READING, 12, seq, sensor_id, tenths)
