"""parse_reply, wrong in the classic ways (each function is one mistake)."""

import struct

import ntplib

EPOCH = 2208988800


def _decode(data, stamp, fmt="!B B 14x 8I", era=True):
    values = struct.unpack(fmt, data[:48])
    first, stratum, words = values[0], values[1], values[2:]
    result = {"leap": first >> 6, "version": first >> 3 & 7, "mode": first & 7, "stratum": stratum}
    for i, name in enumerate(("reference", "originate", "receive", "transmit")):
        seconds = words[2 * i]
        if era and seconds < 2**31:      # era 1 (2036-2104), as RFC 4330 section 3 says
            seconds += 2**32
        result[name] = stamp(seconds, words[2 * i + 1])
    return result


def _checked(data):
    if len(data) < 48:
        raise ValueError("short")
    return data


def epoch_1970(data):
    """Forgets to subtract the 70 years: returns seconds since 1900."""
    return _decode(_checked(data), lambda s, f: s + f / 2**32)


def fraction_1e9(data):
    """Divides the fraction by 10**9."""
    return _decode(_checked(data), lambda s, f: s - EPOCH + f / 10**9)


def fraction_2_16(data):
    """Divides the fraction by 2**16."""
    return _decode(_checked(data), lambda s, f: s - EPOCH + f / 2**16)


def little_endian(data):
    """Reads the words in host byte order."""
    return _decode(_checked(data), lambda s, f: s - EPOCH + f / 2**32, fmt="<B B 14x 8I")


def unmasked_version(data):
    """Shifts the version down but keeps the leap bits above it."""
    result = _decode(_checked(data), lambda s, f: s - EPOCH + f / 2**32)
    result["version"] = data[0] >> 3
    return result


def swapped_timestamps(data):
    """Reads originate and receive from each other's place."""
    result = _decode(_checked(data), lambda s, f: s - EPOCH + f / 2**32)
    result["originate"], result["receive"] = result["receive"], result["originate"]
    return result


def no_length_check(data):
    """Lets struct complain about short data: struct.error is not a ValueError."""
    return _decode(data, lambda s, f: s - EPOCH + f / 2**32, fmt="!B B 14x 8I")


def rejects_trailing_bytes(data):
    """Insists on exactly 48 bytes; NTPv4 packets may carry more."""
    if len(data) != 48:
        raise ValueError("an SNTP packet is 48 bytes")
    return _decode(data, lambda s, f: s - EPOCH + f / 2**32)


def no_era(data):
    """Reads every timestamp as 1968-2036: a time after 2036 comes out in 1900-1968."""
    return _decode(_checked(data), lambda s, f: s - EPOCH + f / 2**32, era=False)


def uses_ntplib(data):
    """Lets ntplib decode the packet."""
    if len(data) < 48:
        raise ValueError("short")
    stats = ntplib.NTPStats()
    stats.from_data(data)
    return {"leap": stats.leap, "version": stats.version, "mode": stats.mode, "stratum": stats.stratum,
            "reference": stats.ref_time, "originate": stats.orig_time, "receive": stats.recv_time,
            "transmit": stats.tx_time}
