"""Mistake (reading fix): only sensor_id named as buggy (7 became 1792 in the demo); the
temperature is a 2-byte number in native order too."""

import struct

VERSION, READING = 1, 2


def buggy_fields():
    return ["sensor_id"]


def encode_reading_fixed(seq, sensor_id, tenths):
    return struct.pack("!BBHIHh", VERSION, READING, 4, seq, sensor_id, tenths)
