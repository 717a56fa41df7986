"""build_request, wrong in the classic ways (each function is one mistake)."""

import math
import struct

import ntplib

EPOCH = 2208988800


def _parts(t):
    whole = math.floor(t)
    return whole, t - whole


def epoch_1970(transmit_time):
    """Puts Unix seconds on the wire: NTP counts from 1900."""
    whole, part = _parts(transmit_time)
    return struct.pack("!B39xII", 0x23, whole, int(part * 2**32))


def nanoseconds_fraction(transmit_time):
    """Counts the fraction in nanoseconds, as if it were a timespec."""
    whole, part = _parts(transmit_time)
    return struct.pack("!B39xII", 0x23, whole + EPOCH, int(part * 10**9))


def fraction_2_16(transmit_time):
    """Scales the fraction by 2**16 (the root delay's format), not 2**32."""
    whole, part = _parts(transmit_time)
    return struct.pack("!B39xII", 0x23, whole + EPOCH, int(part * 2**16))


def little_endian(transmit_time):
    """Packs in host byte order (little-endian on x86)."""
    whole, part = _parts(transmit_time)
    return struct.pack("<B39xII", 0x23, whole + EPOCH, int(part * 2**32))


def mode_4(transmit_time):
    """Sends mode 4 (server) instead of mode 3 (client)."""
    whole, part = _parts(transmit_time)
    return struct.pack("!B39xII", 4 << 3 | 4, whole + EPOCH, int(part * 2**32))


def version_3_constant(transmit_time):
    """Copies 0x1b from an old example: version 3."""
    whole, part = _parts(transmit_time)
    return struct.pack("!B39xII", 0x1B, whole + EPOCH, int(part * 2**32))


def forty_seven_bytes(transmit_time):
    """Miscounts the padding: 47 bytes."""
    whole, part = _parts(transmit_time)
    return struct.pack("!B38xII", 0x23, whole + EPOCH, int(part * 2**32))


def rounds_without_carry(transmit_time):
    """round() of .9999999999 * 2**32 is 2**32: one too many for 32 bits, and struct says so."""
    whole, part = _parts(transmit_time)
    return struct.pack("!B39xII", 0x23, whole + EPOCH, round(part * 2**32))


def no_era_wrap(transmit_time):
    """Packs the seconds since 1900 as they are: after 2036 they need 33 bits, and struct says so."""
    seconds, fraction = divmod(round((transmit_time + EPOCH) * 2**32), 2**32)
    return struct.pack("!B39xII", 0x23, seconds, fraction)


def uses_ntplib(transmit_time):
    """Lets ntplib build the packet: correct bytes, but not the exercise."""
    packet = ntplib.NTPPacket(version=4, mode=3, tx_timestamp=ntplib.system_to_ntp_time(transmit_time))
    return packet.to_data()
