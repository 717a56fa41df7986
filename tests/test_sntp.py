"""netkit.sntp: packets fed whole, short and with trailing data; the server proven by ntplib."""

import ast
import pathlib
import random
import socket
import subprocess
import sys

import ntplib
import pytest

from netkit import sntp
from netkit.leaks import leftovers, snapshot
from netkit.sntp import (
    FIELDS,
    MARKS,
    NTP_EPOCH_OFFSET,
    PACKET_SIZE,
    SNTPPacket,
    from_ntp,
    offset_and_delay,
    reply,
    request,
    sntp_server,
    to_ntp,
)

pytestmark = pytest.mark.timeout(20)
TIMEOUT = 5.0
NOW = 1_764_000_000.25  # 2025-11-24, a fixed "now" for the pure tests


# -- the pure part does not touch the network ---------------------------------------------


def test_the_module_imports_socket_only_inside_the_server():
    tree = ast.parse(pathlib.Path(sntp.__file__).read_text())
    top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    names = {alias.name for node in top for alias in node.names}
    names |= {node.module or "" for node in top if isinstance(node, ast.ImportFrom)}
    assert not {"socket", "selectors", "servers"} & names


def test_importing_it_does_not_import_socket():
    code = "import sys, netkit.sntp; print('socket' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- timestamps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "unix, ntp",
    [
        (0, (NTP_EPOCH_OFFSET, 0)),
        (0.5, (NTP_EPOCH_OFFSET, 2**31)),
        (-NTP_EPOCH_OFFSET + 0.25, (0, 2**30)),  # 1900-01-01, era 0
        (2**32 - NTP_EPOCH_OFFSET, (0, 0)),  # 2036-02-07 06:28:16: era 1 starts
        (2**32 - NTP_EPOCH_OFFSET + 1.75, (1, 3 * 2**30)),
    ],
)
def test_to_ntp(unix, ntp):
    assert to_ntp(unix) == ntp


def test_to_ntp_carries_a_fraction_that_rounds_up():
    assert to_ntp(9.9999999999) == (NTP_EPOCH_OFFSET + 10, 0)


def test_from_ntp_reads_1968_to_2104():
    assert from_ntp(NTP_EPOCH_OFFSET, 2**31) == 0.5
    assert from_ntp(2**31, 0) == 2**31 - NTP_EPOCH_OFFSET  # 1968-01-20, the earliest
    assert from_ntp(0, 0) == 2**32 - NTP_EPOCH_OFFSET  # 2036, not 1900 (RFC 4330 section 3)
    assert from_ntp(2**31 - 1, 0) == 2**32 + 2**31 - 1 - NTP_EPOCH_OFFSET  # 2104, the latest


def test_timestamps_round_trip_to_a_nanosecond():
    rng = random.Random(0)
    for _ in range(1000):
        unix = rng.uniform(-60_000_000, 4_000_000_000)  # 1968 .. 2096
        assert abs(from_ntp(*to_ntp(unix)) - unix) < 1e-9 * max(1, abs(unix) / 1e9)


# -- the packet ----------------------------------------------------------------------------


def test_fields_tile_the_48_bytes():
    offset = 0
    for field in FIELDS:
        name, start, size = field  # a plain (name, offset, size) triple
        assert start == offset and size in (1, 4, 8), name
        offset += size
    assert offset == PACKET_SIZE
    assert len({field.name for field in FIELDS}) == len(FIELDS)
    assert MARKS[0] == (0, 1, "leap/version/mode") and len(MARKS) == len(FIELDS)


def test_pack_puts_each_field_where_fields_says():
    packet = SNTPPacket(
        leap=3,
        version=4,
        mode=4,
        stratum=2,
        poll=6,
        precision=-20,
        root_delay=0x00010000,
        root_dispersion=0x00008000,
        ref_id=b"GPS\0",
        reference=(1, 2),
        originate=(3, 4),
        receive=(5, 6),
        transmit=(0xFFFFFFFF, 0x80000000),
    )
    data = packet.pack()
    field = {name: data[start : start + size] for name, start, size in FIELDS}
    assert len(data) == 48
    assert field["leap/version/mode"] == bytes([0b11_100_100])
    assert field["stratum"] == b"\x02" and field["poll"] == b"\x06"
    assert field["precision"] == (-20).to_bytes(1, "big", signed=True)
    assert field["root_delay"] == b"\x00\x01\x00\x00"
    assert field["root_dispersion"] == b"\x00\x00\x80\x00"
    assert field["ref_id"] == b"GPS\0"
    assert field["reference"] == bytes.fromhex("00000001 00000002")
    assert field["originate"] == bytes.fromhex("00000003 00000004")
    assert field["receive"] == bytes.fromhex("00000005 00000006")
    assert field["transmit"] == bytes.fromhex("ffffffff 80000000")


def test_a_client_request_starts_with_0x23():
    data = request(NOW).pack()
    assert data[0] == 0x23  # LI 0, version 4, mode 3
    assert data[1:40] == bytes(39)
    assert SNTPPacket.unpack(data).seconds("transmit") == NOW


def test_any_48_bytes_round_trip():
    rng = random.Random(4330)
    for _ in range(500):
        data = rng.randbytes(48)
        assert SNTPPacket.unpack(data).pack() == data


def test_packets_round_trip():
    rng = random.Random(5)
    for _ in range(200):
        packet = SNTPPacket(
            leap=rng.randrange(4),
            version=rng.randrange(8),
            mode=rng.randrange(8),
            stratum=rng.randrange(256),
            poll=rng.randrange(-128, 128),
            precision=rng.randrange(-128, 128),
            root_delay=rng.randrange(2**32),
            root_dispersion=rng.randrange(2**32),
            ref_id=rng.randbytes(4),
            reference=to_ntp(rng.uniform(0, 2e9)),
            originate=to_ntp(rng.uniform(0, 2e9)),
            receive=to_ntp(rng.uniform(0, 2e9)),
            transmit=to_ntp(rng.uniform(0, 2e9)),
        )
        assert SNTPPacket.unpack(packet.pack()) == packet


@pytest.mark.parametrize("size", range(PACKET_SIZE))
def test_unpack_refuses_short_data(size):
    with pytest.raises(ValueError, match=f"an SNTP packet is 48 bytes, got {size}"):
        SNTPPacket.unpack(request(NOW).pack()[:size])


def test_unpack_ignores_an_authenticator_after_48_bytes():
    packet = request(NOW)
    key_id_and_digest = b"\x00\x00\x00\x01" + bytes(range(16))
    assert SNTPPacket.unpack(packet.pack() + key_id_and_digest) == packet
    assert SNTPPacket.unpack(bytearray(packet.pack())) == packet


@pytest.mark.parametrize(
    "field, value",
    [
        ("leap", 4),
        ("version", -1),
        ("mode", 8),
        ("stratum", 256),
        ("poll", 128),
        ("precision", -129),
        ("root_delay", 2**32),
        ("ref_id", b"LOC"),
        ("transmit", (2**32, 0)),
        ("originate", 1.5),
    ],
)
def test_a_bad_field_is_named(field, value):
    with pytest.raises(ValueError, match=f"^{field}="):
        SNTPPacket(**{field: value})


def test_repr_shows_mode_and_times():
    text = repr(reply(request(NOW), NOW + 1, NOW + 1))
    assert "mode=4 (server)" in text and "transmit=2025-11-24 16:00:01.250000 UTC" in text


def test_we_read_what_ntplib_writes_and_the_other_way_round():
    theirs = ntplib.NTPPacket(version=3, mode=3, tx_timestamp=ntplib.system_to_ntp_time(NOW))
    ours = SNTPPacket.unpack(theirs.to_data())
    assert (ours.version, ours.mode) == (3, 3)
    assert abs(ours.seconds("transmit") - NOW) < 1e-6

    answer = reply(ours, NOW + 10, NOW + 10.5, stratum=3)
    stats = ntplib.NTPStats()
    stats.from_data(answer.pack())
    assert (stats.mode, stats.version, stats.stratum) == (4, 3, 3)
    assert abs(stats.tx_time - (NOW + 10.5)) < 1e-6


# -- the server's rules --------------------------------------------------------------------


def test_reply_follows_rfc_4330_section_5():
    query = SNTPPacket(version=3, mode=3, poll=6, transmit=(123456, 789))
    answer = reply(query, NOW, NOW + 0.001, stratum=2)
    assert (answer.leap, answer.version, answer.mode, answer.stratum) == (0, 3, 4, 2)
    assert answer.poll == 6
    assert answer.originate == (123456, 789)  # the client's transmit, copied bit for bit
    assert answer.seconds("receive") == NOW
    assert abs(answer.seconds("transmit") - (NOW + 0.001)) < 1e-9
    assert answer.ref_id == b"\x7f\x00\x00\x01"
    assert reply(query, NOW, NOW, stratum=1).ref_id == b"LOCL"


@pytest.mark.parametrize("mode", [0, 1, 2, 4, 5, 6, 7])
def test_reply_ignores_what_is_not_a_client_request(mode):
    assert reply(SNTPPacket(mode=mode), NOW, NOW) is None


def test_offset_and_delay():
    # The server is 2 s ahead; each way takes 0.1 s; it holds the request 0.05 s.
    offset, delay = offset_and_delay(100.0, 102.1, 102.15, 100.25)
    assert offset == pytest.approx(2.0) and delay == pytest.approx(0.2)


# -- the server, proven by ntplib ----------------------------------------------------------


@pytest.mark.parametrize("offset", [0.0, 3.5, -1000.25])
def test_ntplib_sees_the_configured_offset(offset):
    with sntp_server(offset=offset) as address:
        stats = ntplib.NTPClient().request(address.host, port=address.port, timeout=TIMEOUT)
    # RFC 4330: the offset is right to within half the round trip (plus clock reads).
    assert abs(stats.offset - offset) <= stats.delay / 2 + 1e-3
    assert abs(stats.offset - offset) < 0.05
    assert stats.mode == 4 and stats.stratum == 2 and stats.delay >= 0


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_ntplib_gets_its_version_back(version):
    with sntp_server(stratum=1) as address:
        stats = ntplib.NTPClient().request(
            address.host, version=version, port=address.port, timeout=TIMEOUT
        )
    assert (stats.version, stats.mode, stats.stratum) == (version, 4, 1)
    assert ntplib.ref_id_to_text(stats.ref_id, stats.stratum) == "uncalibrated local clock"


def test_the_server_reads_its_clock_for_receive_and_transmit():
    ticks = iter([1000.0, 1000.5])
    with sntp_server(offset=0.25, clock=lambda: next(ticks)) as address:
        with socket.socket(type=socket.SOCK_DGRAM) as client:
            client.settimeout(TIMEOUT)
            query = SNTPPacket(transmit=(3_900_000_000, 12345))
            client.sendto(query.pack(), address)
            answer = SNTPPacket.unpack(client.recv(100))
    assert answer.originate == query.transmit
    assert answer.seconds("receive") == 1000.25 and answer.seconds("transmit") == 1000.75


def test_the_server_ignores_short_datagrams_and_other_modes():
    with sntp_server() as address, socket.socket(type=socket.SOCK_DGRAM) as client:
        client.settimeout(TIMEOUT)
        client.sendto(b"\x23" + bytes(10), address)  # too short
        client.sendto(SNTPPacket(mode=4).pack(), address)  # a server's reply, not a request
        client.sendto(request(NOW).pack() + b"trailing", address)  # the one to answer
        answer = SNTPPacket.unpack(client.recv(100))
    assert answer.mode == 4 and answer.originate == to_ntp(NOW)


def test_a_bad_stratum_is_refused_before_serving():
    with pytest.raises(ValueError, match="stratum=300"):
        sntp_server(stratum=300)


def test_exit_leaves_nothing_behind_at_once():
    before = snapshot()
    with sntp_server() as address:
        ntplib.NTPClient().request(address.host, port=address.port, timeout=TIMEOUT)
    assert leftovers(before) == []
