"""netkit.ports: the IANA ranges as a table, with no sockets involved."""

import pytest

from netkit.ports import (IANA_RANGES, LECTURE_SERVICES, LINUX_EPHEMERAL, MAX_PORT, boundaries,
                          range_of, read_ephemeral_range)


def test_ranges_tile_0_to_65535_without_gaps_or_overlaps():
    assert IANA_RANGES[0].first == 0 and IANA_RANGES[-1].last == MAX_PORT
    for before, after in zip(IANA_RANGES, IANA_RANGES[1:]):
        assert after.first == before.last + 1


@pytest.mark.parametrize("port, name", [
    (0, "well-known"), (21, "well-known"), (1023, "well-known"),
    (1024, "registered"), (8080, "registered"), (49151, "registered"),
    (49152, "dynamic"), (60999, "dynamic"), (65535, "dynamic"),
])
def test_range_of_names_the_range(port, name):
    assert range_of(port).name == name
    assert port in range_of(port)


@pytest.mark.parametrize("port", [-1, 65536, 1 << 20, "80", 80.0, True, None])
def test_range_of_refuses_what_is_not_a_port(port):
    with pytest.raises(ValueError):
        range_of(port)


def test_boundaries_are_every_edge_and_one_beyond():
    assert boundaries() == [-1, 0, 1023, 1024, 49151, 49152, 65535, 65536]


def test_lecture_services_are_in_the_well_known_range():
    assert {s.name: (s.port, s.protocol) for s in LECTURE_SERVICES}["ntp"] == (123, "udp")
    assert all(range_of(s.port).name == "well-known" for s in LECTURE_SERVICES)


def test_read_ephemeral_range_parses_procfs_text():
    assert read_ephemeral_range("32768\t60999\n") == LINUX_EPHEMERAL
    first, last = read_ephemeral_range()
    assert 0 < first <= last <= MAX_PORT
