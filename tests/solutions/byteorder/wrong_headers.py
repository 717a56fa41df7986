"""pack_header, unpack_header and the reading fix, wrong in the classic ways (one mistake each)."""

import struct


def pack_native(header):
    """No '!': native order (little-endian here) and native alignment."""
    return struct.pack("BBHI", *header)


def pack_little(header):
    """'<': explicitly little-endian."""
    return struct.pack("<BBHI", *header)


def pack_equals(header):
    """'=' looks standard, but it is native byte order."""
    return struct.pack("=BBHI", *header)


def pack_wide_length(header):
    """A 4-byte length: the header grows to 10 bytes."""
    return struct.pack("!BBII", *header)


def pack_swapped_fields(header):
    """Type before version."""
    version, kind, length, seq = header
    return struct.pack("!BBHI", kind, version, length, seq)


def unpack_native(data):
    """Reads the fields in native order."""
    if len(data) < 8:
        raise ValueError("short")
    return struct.unpack("BBHI", data[:8])


def unpack_whole(data):
    """Unpacks all of data: a header with a payload after it raises struct.error."""
    if len(data) < 8:
        raise ValueError("short")
    return struct.unpack("!BBHI", data)


def unpack_struct_error(data):
    """Lets struct.error out for short data: it is not a ValueError."""
    return struct.unpack_from("!BBHI", data)


def unpack_pads_short(data):
    """Pads short data with zeros instead of refusing it."""
    return struct.unpack("!BBHI", data[:8].ljust(8, b"\0"))


def unpack_plain_tuple(data):
    """Returns struct.unpack's plain tuple: header.seq does not work on it."""
    if len(data) < 8:
        raise ValueError("short")
    return struct.unpack("!BBHI", data[:8])


def reading_unfixed(seq, sensor_id, tenths):
    """The sender as given: '=Hh' is native byte order."""
    return struct.pack("!BBHI", 1, 2, 4, seq) + struct.pack("=Hh", sensor_id, tenths)


def reading_half_fixed(seq, sensor_id, tenths):
    """Fixes the sensor id, not the temperature."""
    return struct.pack("!BBHIH", 1, 2, 4, seq, sensor_id) + struct.pack("<h", tenths)


def reading_unsigned(seq, sensor_id, tenths):
    """Network order, but the temperature as unsigned: negative ones raise."""
    return struct.pack("!BBHIHH", 1, 2, 4, seq, sensor_id, tenths)


def reading_swapped_body(seq, sensor_id, tenths):
    """Byte order fixed by reversing the whole body: the fields swap places."""
    return struct.pack("!BBHI", 1, 2, 4, seq) + struct.pack("<Hh", sensor_id, tenths)[::-1]


def reading_signed_id(seq, sensor_id, tenths):
    """Network order, but the sensor id as signed: an id over 32767 raises."""
    return struct.pack("!BBHIhh", 1, 2, 4, seq, sensor_id, tenths)
