"""SNTP (RFC 4330): the 48-byte packet as pure code, and an SNTP server on loopback.

The packet part works on bytes and numbers only (no sockets), so it can be tested and
shown without a network::

    SNTPPacket.unpack(data)            48 bytes (an authenticator after them is ignored)
    packet.pack()                      -> 48 bytes
    to_ntp(unix) / from_ntp(sec, frac) NTP timestamps: seconds since 1900, 32.32 fixed point
    reply(request, receive, transmit)  what a server answers (mode 4), or None
    offset_and_delay(t1, t2, t3, t4)   the client's clock offset and round-trip delay
    FIELDS / MARKS                     where each field lies, to annotate a hexdump

Only ``sntp_server`` touches the network; it imports ``netkit.servers`` (and so
``socket``) when it is called, not when this module is imported.

The packet (RFC 4330 section 4)::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |LI | VN  |Mode |    Stratum    |     Poll      |   Precision   |
    |                          Root Delay                           |
    |                       Root Dispersion                         |
    |                     Reference Identifier                      |
    |                   Reference Timestamp (64)                    |
    |                   Originate Timestamp (64)                    |
    |                    Receive Timestamp (64)                     |
    |                    Transmit Timestamp (64)                    |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
"""

import dataclasses
import datetime
import math
import struct
import time
from typing import NamedTuple

__all__ = [
    "NTP_EPOCH_OFFSET",
    "PACKET_SIZE",
    "FIELDS",
    "MARKS",
    "MODES",
    "Field",
    "SNTPPacket",
    "to_ntp",
    "from_ntp",
    "request",
    "reply",
    "offset_and_delay",
    "sntp_server",
]

NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900-01-01 (NTP) to 1970-01-01 (Unix)
PACKET_SIZE = 48
_FRACTION = 2**32
_ERA_BIT = 0x80000000  # RFC 4330 section 3: if clear, the seconds count from 2036
_FORMAT = struct.Struct("!BBbbII4sIIIIIIII")


class Field(NamedTuple):
    """One field of the packet: its name, where it starts and how many bytes it takes."""

    name: str
    offset: int
    size: int


FIELDS = (
    Field("leap/version/mode", 0, 1),
    Field("stratum", 1, 1),
    Field("poll", 2, 1),
    Field("precision", 3, 1),
    Field("root_delay", 4, 4),
    Field("root_dispersion", 8, 4),
    Field("ref_id", 12, 4),
    Field("reference", 16, 8),
    Field("originate", 24, 8),
    Field("receive", 32, 8),
    Field("transmit", 40, 8),
)

# The same table in the shape netkit.wire.hexdump(data, marks=...) takes.
MARKS = tuple((field.offset, field.size, field.name) for field in FIELDS)

MODES = {
    0: "reserved",
    1: "symmetric active",
    2: "symmetric passive",
    3: "client",
    4: "server",
    5: "broadcast",
    6: "NTP control message",
    7: "private use",
}

_LIMITS = {  # field: (lowest, highest), inclusive
    "leap": (0, 3),
    "version": (0, 7),
    "mode": (0, 7),
    "stratum": (0, 255),
    "poll": (-128, 127),
    "precision": (-128, 127),
    "root_delay": (0, _FRACTION - 1),
    "root_dispersion": (0, _FRACTION - 1),
}
_TIMESTAMPS = ("reference", "originate", "receive", "transmit")


def to_ntp(unix_seconds):
    """Unix time (float seconds) -> NTP timestamp ``(seconds since 1900, fraction / 2**32)``.

    Seconds wrap modulo 2**32 (era 1 starts on 2036-02-07), as on the wire.
    """
    whole = math.floor(unix_seconds)
    fraction = round((unix_seconds - whole) * _FRACTION)
    if fraction == _FRACTION:
        whole, fraction = whole + 1, 0
    return ((whole + NTP_EPOCH_OFFSET) % _FRACTION, fraction)


def from_ntp(seconds, fraction=0):
    """NTP timestamp -> Unix time (float seconds).

    RFC 4330 section 3: when the top bit of ``seconds`` is clear the time is in
    2036-2104 (era 1), so the range this reads is 1968-2104.
    """
    if not seconds & _ERA_BIT:
        seconds += _FRACTION
    return (seconds - NTP_EPOCH_OFFSET) + fraction / _FRACTION


def _check(name, value):
    if name in _LIMITS:
        low, high = _LIMITS[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name}={value!r} is not an integer from {low} to {high}")
        return value
    if name == "ref_id":
        if not isinstance(value, (bytes, bytearray)) or len(value) != 4:
            raise ValueError(f"ref_id={value!r} is not 4 bytes")
        return bytes(value)
    stamp = tuple(value) if isinstance(value, (tuple, list)) else None
    if (
        stamp is None
        or len(stamp) != 2
        or not all(isinstance(part, int) and 0 <= part < _FRACTION for part in stamp)
    ):
        raise ValueError(f"{name}={value!r} is not an NTP timestamp (seconds, fraction)")
    return stamp


def _show_time(stamp):
    if stamp == (0, 0):
        return "0"
    moment = datetime.datetime.fromtimestamp(from_ntp(*stamp), datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


@dataclasses.dataclass(frozen=True, repr=False)
class SNTPPacket:
    """One SNTP packet. Timestamps are ``(seconds, fraction)`` pairs as ``to_ntp`` makes.

    ``root_delay`` and ``root_dispersion`` are raw 16.16 fixed-point integers, ``poll``
    and ``precision`` signed powers of two, ``ref_id`` 4 raw bytes. The defaults make
    a version 4 client request with every time zero.
    """

    leap: int = 0
    version: int = 4
    mode: int = 3
    stratum: int = 0
    poll: int = 0
    precision: int = 0
    root_delay: int = 0
    root_dispersion: int = 0
    ref_id: bytes = b"\0\0\0\0"
    reference: tuple = (0, 0)
    originate: tuple = (0, 0)
    receive: tuple = (0, 0)
    transmit: tuple = (0, 0)

    def __post_init__(self):
        for field in dataclasses.fields(self):
            object.__setattr__(self, field.name, _check(field.name, getattr(self, field.name)))

    def __repr__(self):
        plain = [field.name for field in dataclasses.fields(self) if field.name not in _TIMESTAMPS]
        parts = [f"{name}={getattr(self, name)!r}" for name in plain]
        parts[plain.index("mode")] += f" ({MODES[self.mode]})"
        parts.extend(f"{name}={_show_time(getattr(self, name))}" for name in _TIMESTAMPS)
        return f"SNTPPacket({', '.join(parts)})"

    def pack(self):
        """The 48 bytes on the wire, in network byte order."""
        first = self.leap << 6 | self.version << 3 | self.mode
        stamps = [part for name in _TIMESTAMPS for part in getattr(self, name)]
        return _FORMAT.pack(
            first,
            self.stratum,
            self.poll,
            self.precision,
            self.root_delay,
            self.root_dispersion,
            self.ref_id,
            *stamps,
        )

    @classmethod
    def unpack(cls, data):
        """Read a packet from its first 48 bytes; raise ``ValueError`` if there are fewer."""
        data = bytes(data)
        if len(data) < PACKET_SIZE:
            raise ValueError(
                f"an SNTP packet is {PACKET_SIZE} bytes, got {len(data)}: {data[:PACKET_SIZE]!r}"
            )
        first, stratum, poll, precision, delay, dispersion, ref_id, *stamps = _FORMAT.unpack(
            data[:PACKET_SIZE]
        )
        return cls(
            leap=first >> 6,
            version=first >> 3 & 7,
            mode=first & 7,
            stratum=stratum,
            poll=poll,
            precision=precision,
            root_delay=delay,
            root_dispersion=dispersion,
            ref_id=ref_id,
            reference=tuple(stamps[0:2]),
            originate=tuple(stamps[2:4]),
            receive=tuple(stamps[4:6]),
            transmit=tuple(stamps[6:8]),
        )

    def seconds(self, name):
        """The timestamp field ``name`` as Unix time (float seconds)."""
        if name not in _TIMESTAMPS:
            raise ValueError(f"{name!r} is not one of the timestamps {', '.join(_TIMESTAMPS)}")
        return from_ntp(*getattr(self, name))


def request(now, version=4):
    """A client's request (mode 3) sent at Unix time ``now``."""
    return SNTPPacket(version=version, mode=3, transmit=to_ntp(now))


def reply(request, receive, transmit, *, stratum=2, precision=-20):
    """A server's answer to ``request`` per RFC 4330 section 5, or None if it gets none.

    Only a client request (mode 3) is answered: mode 4, the version and poll copied,
    originate = the request's transmit, ``receive``/``transmit`` (Unix seconds) as given.
    """
    if request.mode != 3:
        return None
    return SNTPPacket(
        leap=0,
        version=request.version,
        mode=4,
        stratum=stratum,
        poll=request.poll,
        precision=precision,
        ref_id=b"LOCL" if stratum <= 1 else bytes([127, 0, 0, 1]),
        reference=to_ntp(math.floor(receive)),
        originate=request.transmit,
        receive=to_ntp(receive),
        transmit=to_ntp(transmit),
    )


def offset_and_delay(t1, t2, t3, t4):
    """RFC 4330 section 5: the client's clock offset and the round-trip delay, in seconds.

    t1 = request sent (client clock), t2 = request received and t3 = reply sent (server
    clock), t4 = reply received (client clock).
    """
    return ((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2)


def sntp_server(offset=0.0, stratum=2, clock=time.time, host="127.0.0.1"):
    """An SNTP server on loopback whose clock reads ``clock() + offset``.

    Use it as ``with sntp_server(offset=2.5) as address``; it answers each client
    request (mode 3) with a mode 4 reply and ignores anything else.
    """
    from .servers import UDPServer  # the network part, imported only when needed

    _check("stratum", stratum)

    def answer(data, addr):
        received = clock() + offset
        try:
            packet = reply(SNTPPacket.unpack(data), received, clock() + offset, stratum=stratum)
        except ValueError:
            return None  # too short to be a request: a real server stays silent too
        return None if packet is None else packet.pack()

    server = UDPServer(answer, host=host)
    server.kind = "sntp"
    return server
