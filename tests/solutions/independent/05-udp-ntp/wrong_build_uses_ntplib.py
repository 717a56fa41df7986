"""Mistake (exercise 1): lets ntplib build the packet instead of writing it (the hidden
check forbids ntplib)."""
import ntplib


def build_request(transmit_time):
    packet = ntplib.NTPPacket(mode=3, version=4, tx_timestamp=ntplib.system_to_ntp_time(transmit_time) % 2**32)
    return packet.to_data()
