"""ip_to_int and int_to_ip, wrong in the classic ways (each function is one mistake)."""

import ipaddress
from socket import inet_aton as aton


def int_parsing(text):
    """Trusts int(): accepts ' 1.2.3.4', '01.2.3.4', '+4', '1_0' and non-ASCII digits."""
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(text)
    number = 0
    for part in parts:
        value = int(part)
        if not 0 <= value <= 255:
            raise ValueError(text)
        number = number << 8 | value
    return number


def isdigit_parsing(text):
    """Tests parts with str.isdigit(), which is true for Arabic-Indic digits too."""
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(text)
    number = 0
    for part in parts:
        if not part.isdigit() or len(part) > 3 or (len(part) > 1 and part[0] == "0"):
            raise ValueError(text)
        if int(part) > 255:
            raise ValueError(text)
        number = number << 8 | int(part)
    return number


def leading_zeros(text):
    """Accepts '01.2.3.4' (inet_aton would read '010' as octal 8)."""
    parts = text.split(".")
    if len(parts) != 4 or not all(p and len(p) <= 3 and set(p) <= set("0123456789") for p in parts):
        raise ValueError(text)
    values = [int(p) for p in parts]
    if max(values) > 255:
        raise ValueError(text)
    return values[0] << 24 | values[1] << 16 | values[2] << 8 | values[3]


def little_endian(text):
    """Puts the first part in the lowest byte."""
    parts = [int(p) for p in text.split(".")]
    if len(parts) != 4 or not all(0 <= p <= 255 for p in parts):
        raise ValueError(text)
    return parts[0] | parts[1] << 8 | parts[2] << 16 | parts[3] << 24


def no_byte_check(text):
    """Never checks that a part fits in a byte."""
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(text)
    return sum(int(p) << shift for p, shift in zip(parts, (24, 16, 8, 0)))


def any_number_of_parts(text):
    """Shifts in however many parts there are."""
    number = 0
    for part in text.split("."):
        value = int(part)
        if not 0 <= value <= 255:
            raise ValueError(text)
        number = number << 8 | value
    return number


def index_error(text):
    """Indexes four parts without counting them: '1.2.3' raises IndexError."""
    parts = text.split(".")
    values = [int(parts[i]) for i in range(4)]
    if len(parts) > 4 or not all(0 <= v <= 255 for v in values):
        raise ValueError(text)
    return values[0] << 24 | values[1] << 16 | values[2] << 8 | values[3]


def with_ipaddress(text):
    """Correct, but lets the ipaddress module do the exercise."""
    return int(ipaddress.IPv4Address(text))


def with_inet_aton(text):
    """Checks the format itself, then lets inet_aton (imported under another name) do the work."""
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 3 and (p == "0" or p[0] != "0")
                                  and int(p) <= 255 for p in parts):
        raise ValueError(text)
    return int.from_bytes(aton(text), "big")


def to_ip_little_endian(number):
    """Prints the lowest byte first."""
    if not 0 <= number < 2**32:
        raise ValueError(number)
    return ".".join(str(number >> shift & 0xFF) for shift in (0, 8, 16, 24))


def to_ip_masks(number):
    """Masks a number that does not fit instead of refusing it: 2**32 becomes 0.0.0.0."""
    return ".".join(str(number >> shift & 0xFF) for shift in (24, 16, 8, 0))


def to_ip_unmasked_top(number):
    """Forgets to mask the top byte and never checks the range: 2**32 becomes 256.0.0.0."""
    if number < 0:
        raise ValueError(number)
    return f"{number >> 24}.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def to_ip_hex(number):
    """Shows each byte in hex."""
    if not 0 <= number < 2**32:
        raise ValueError(number)
    return ".".join(f"{number >> shift & 0xFF:x}" for shift in (24, 16, 8, 0))


def to_ip_ipaddress(number):
    """Correct, but lets the ipaddress module do the exercise."""
    return str(ipaddress.IPv4Address(number))
