"""Mistake (exercise 2): lets ntplib decode the packet (the hidden check forbids ntplib)."""
import ntplib


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("short packet")
    packet = ntplib.NTPPacket()
    packet.from_data(bytes(data[:48]))
    def unix(stamp):   # era 1 (2036-2104) when the top bit of the seconds is clear
        return ntplib.ntp_to_system_time(stamp + (2**32 if stamp < 2**31 else 0))

    return {"leap": packet.leap, "version": packet.version, "mode": packet.mode, "stratum": packet.stratum,
            "reference": unix(packet.ref_timestamp),
            "originate": unix(packet.orig_timestamp),
            "receive": unix(packet.recv_timestamp),
            "transmit": unix(packet.tx_timestamp)}
