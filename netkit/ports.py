"""Port numbers as data: IANA's three ranges, the services the lecture names, Linux's ephemeral range.

This module owns the tables notebook 02 teaches from and its checks grade against.
It is pure (no sockets): a port is an integer, and which range it falls in is a
table lookup, not an if-chain::

    >>> range_of(8080).name
    'registered'
    >>> [(r.name, r.first, r.last) for r in IANA_RANGES]
    [('well-known', 0, 1023), ('registered', 1024, 49151), ('dynamic', 49152, 65535)]

The lecture (2011) splits ports in two (0-1023 well-known, 1024-65535 dynamic);
RFC 6335 and IANA split them in three, and Linux hands out client ports from its own
range (``/proc/sys/net/ipv4/ip_local_port_range``, 32768-60999 by default).
"""

import bisect
from dataclasses import dataclass

__all__ = [
    "PortRange",
    "IANA_RANGES",
    "MAX_PORT",
    "LINUX_EPHEMERAL",
    "Service",
    "LECTURE_SERVICES",
    "range_of",
    "boundaries",
    "read_ephemeral_range",
]

MAX_PORT = 65535  # a port is 16 bits on the wire (and 0 means "any" when binding)
LINUX_EPHEMERAL = (32768, 60999)  # Linux's default net.ipv4.ip_local_port_range


@dataclass(frozen=True)
class PortRange:
    """One of IANA's port ranges (RFC 6335, section 6): first..last inclusive."""

    name: str  # the course's name for it: "well-known", "registered", "dynamic"
    first: int
    last: int
    iana_name: str  # what IANA's registry calls it
    used_for: str

    def __contains__(self, port):
        return self.first <= port <= self.last

    def __str__(self):
        return f"{self.name:<10} {self.first:>5}-{self.last:<5}  {self.iana_name}: {self.used_for}"


IANA_RANGES = (
    PortRange("well-known", 0, 1023, "System Ports",
              "standard services (HTTP 80, FTP 21, SMTP 25); binding one needs privileges on Unix"),
    PortRange("registered", 1024, 49151, "User Ports",
              "applications registered with IANA (PostgreSQL 5432, HTTP alternate 8080)"),
    PortRange("dynamic", 49152, 65535, "Dynamic and/or Private Ports",
              "never assigned: free for a client's ephemeral ports"),
)

_FIRSTS = [r.first for r in IANA_RANGES]


def range_of(port):
    """The ``PortRange`` holding ``port``; ``ValueError`` outside 0..65535 or for a non-integer."""
    if isinstance(port, bool) or not isinstance(port, int):
        raise ValueError(f"a port is an integer, not {port!r}")
    if not 0 <= port <= MAX_PORT:
        raise ValueError(f"port {port} is outside 0..{MAX_PORT}: a port is 16 bits")
    return IANA_RANGES[bisect.bisect_right(_FIRSTS, port) - 1]


def boundaries():
    """Every port where a range starts or ends, and its neighbours just outside 0..65535."""
    edges = {-1, MAX_PORT + 1}
    for r in IANA_RANGES:
        edges |= {r.first, r.last}
    return sorted(edges)


@dataclass(frozen=True)
class Service:
    """A service the lecture names, as ``/etc/services`` lists it."""

    name: str
    port: int
    protocol: str  # "tcp" or "udp"
    what: str


LECTURE_SERVICES = (
    Service("ftp", 21, "tcp", "FTP control connection (notebook 01)"),
    Service("telnet", 23, "tcp", "remote terminal"),
    Service("smtp", 25, "tcp", "mail between servers"),
    Service("http", 80, "tcp", "the web"),
    Service("ntp", 123, "udp", "network time (notebook 05)"),
)


def read_ephemeral_range(text=None):
    """Parse Linux's ``ip_local_port_range`` (e.g. ``"32768\\t60999\\n"``) into (first, last).

    ``text`` defaults to the content of ``/proc/sys/net/ipv4/ip_local_port_range``;
    where that file does not exist (not Linux), Linux's default is returned.
    """
    if text is None:
        try:
            with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
                text = f.read()
        except OSError:
            return LINUX_EPHEMERAL
    first, last = (int(word) for word in text.split())
    return first, last
