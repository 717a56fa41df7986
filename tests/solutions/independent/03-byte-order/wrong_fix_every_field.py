"""Mistake (reading fix): every multi-byte field named as buggy, the header's length and seq too,
though the header is packed with "!" and arrives right."""

import struct

VERSION, READING = 1, 2


def buggy_fields():
    return ["length", "seq", "sensor_id", "tenths"]


def encode_reading_fixed(seq, sensor_id, tenths):
    return struct.pack("!BBHIHh", VERSION, READING, 4, seq, sensor_id, tenths)
