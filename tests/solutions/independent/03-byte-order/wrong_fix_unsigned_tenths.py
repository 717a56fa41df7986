"""Mistake (reading fix): the temperature packed unsigned ("H"): a negative temperature such as
-12.5 C (-125) cannot be packed."""

import struct

VERSION, READING = 1, 2


def buggy_fields():
    return ["sensor_id", "tenths"]


def encode_reading_fixed(seq, sensor_id, tenths):
    return struct.pack("!BBHIHH", VERSION, READING, 4, seq, sensor_id, tenths)
