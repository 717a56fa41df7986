"""Mistake (reading fix): "@" (native, with C padding) for the whole message in one format, so the
fields are native order and the sizes may be padded."""

import struct

VERSION, READING = 1, 2


def buggy_fields():
    return ["sensor_id", "tenths"]


def encode_reading_fixed(seq, sensor_id, tenths):
    return struct.pack("@BBHIHh", VERSION, READING, 4, seq, sensor_id, tenths)
