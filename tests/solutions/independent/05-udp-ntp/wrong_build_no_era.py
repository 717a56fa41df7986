"""Mistake (exercise 1): the seconds since 1900 are packed as they are, not modulo 2**32:
after 2036-02-07 06:28:16 they need 33 bits, and struct refuses them."""
import math
import struct

NTP_EPOCH_OFFSET = 2208988800


def build_request(transmit_time):
    seconds = math.floor(transmit_time)
    fraction = round((transmit_time - seconds) * 2**32)
    if fraction == 2**32:
        seconds, fraction = seconds + 1, 0
    return struct.pack("!B39xII", 0x23, seconds + NTP_EPOCH_OFFSET, fraction)
