"""netkit.byteorder: parsing, both byte orders and the header table, with no sockets involved."""

import ipaddress
import random

import pytest

from netkit.byteorder import (HEADER_FIELDS, HEADER_SIZE, LECTURE_ADDRESS, LECTURE_NUMBER, Header, Value,
                              dotted, in_both_orders, parse_dotted, parse_value)


def test_the_lecture_example():
    assert parse_dotted(LECTURE_ADDRESS) == LECTURE_NUMBER == 0x9DB5A120
    both = in_both_orders(LECTURE_NUMBER)
    assert list(both["big"]) == [157, 181, 161, 32]
    assert list(both["little"]) == [32, 161, 181, 157]
    assert dotted(int.from_bytes(both["big"], "little")) == "32.161.181.157"


def test_parse_dotted_agrees_with_ipaddress_on_random_addresses():
    rng = random.Random(3)
    for _ in range(500):
        address = str(ipaddress.IPv4Address(rng.getrandbits(32)))
        assert parse_dotted(address) == int(ipaddress.IPv4Address(address))
        assert dotted(parse_dotted(address)) == address


@pytest.mark.parametrize("text", [
    "256.1.1.1", "1.2.3", "1.2.3.4.5", "a.b.c.d", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4.", "01.2.3.4",
    "1..2.3", "1.2.3.+4", "1.2.3.-4", "1_0.2.3.4", "1.2.3.\u0664", "0x1.2.3.4", "", "1.2.3.1000",
])
def test_parse_dotted_refuses_what_ipaddress_refuses(text):
    with pytest.raises(ValueError):
        ipaddress.IPv4Address(text)
    with pytest.raises(ValueError):
        parse_dotted(text)


@pytest.mark.parametrize("text, value", [
    ("157.181.161.32", Value(0x9DB5A120, 4)),
    ("2645926176", Value(0x9DB5A120, 4)),
    ("0x9db5a120", Value(0x9DB5A120, 4)),
    ("  80 ", Value(80, 2)),
    ("0xFFFF", Value(0xFFFF, 2)),
    ("65536", Value(65536, 4)),
])
def test_parse_value_reads_addresses_and_integers(text, value):
    assert parse_value(text) == value


@pytest.mark.parametrize("text", ["", "  ", "-1", "4294967296", "0x", "0xg", "1e3", "1.2.3"])
def test_parse_value_explains_what_it_refuses(text):
    with pytest.raises(ValueError, match=r"\S"):
        parse_value(text)


@pytest.mark.parametrize("number", [-1, 1 << 32])
def test_dotted_refuses_numbers_beyond_32_bits(number):
    with pytest.raises(ValueError):
        dotted(number)


def test_header_fields_cover_the_header_exactly():
    covered = [i for _, offset, size in HEADER_FIELDS for i in range(offset, offset + size)]
    assert covered == list(range(HEADER_SIZE))
    assert [name for name, _, _ in HEADER_FIELDS] == list(Header._fields)
    assert Header(1, 2, 3, 4) == (1, 2, 3, 4)
