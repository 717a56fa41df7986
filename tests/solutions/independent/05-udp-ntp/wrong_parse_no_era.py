"""Mistake (exercise 2): every timestamp is read as 1968-2036 (seconds since 1900, minus the
offset), so a time after 2036 (top bit of the seconds clear) comes out in 1900-1968."""
import struct

NTP_EPOCH_OFFSET = 2208988800


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("need 48 bytes")
    fields = struct.unpack("!BBbbII4sIIIIIIII", data[:48])
    stamps = [fields[i] - NTP_EPOCH_OFFSET + fields[i + 1] / 2**32 for i in (7, 9, 11, 13)]
    return dict(zip(("reference", "originate", "receive", "transmit"), stamps),
                leap=fields[0] >> 6, version=fields[0] >> 3 & 7, mode=fields[0] & 7, stratum=fields[1])
