"""Mistake (exercise 2): lets ntplib decode the packet (the hidden check forbids ntplib)."""
import ntplib


def parse_reply(data):
    if len(data) < 48:
        raise ValueError("short packet")
    packet = ntplib.NTPPacket()
    packet.from_data(bytes(data[:48]))
    return {"leap": packet.leap, "version": packet.version, "mode": packet.mode, "stratum": packet.stratum,
            "reference": ntplib.ntp_to_system_time(packet.ref_timestamp),
            "originate": ntplib.ntp_to_system_time(packet.orig_timestamp),
            "receive": ntplib.ntp_to_system_time(packet.recv_timestamp),
            "transmit": ntplib.ntp_to_system_time(packet.tx_timestamp)}
