"""port_range, lookup_service and ipv4_addresses, wrong in the classic ways (one mistake each)."""

import socket


def range_1023_registered(port):
    """Off by one at the top of the well-known range: 1023 counted as registered."""
    if not 0 <= port <= 65535:
        raise ValueError(port)
    if port < 1023:
        return "well-known"
    return "registered" if port < 49152 else "dynamic"


def range_49152_registered(port):
    """Off by one at the top of the registered range: 49152 counted as registered."""
    if not 0 <= port <= 65535:
        raise ValueError(port)
    if port <= 1023:
        return "well-known"
    return "registered" if port <= 49152 else "dynamic"


def range_49151_dynamic(port):
    """Off by one at the other side: 49151 counted as dynamic (< instead of <=)."""
    if not 0 <= port <= 65535:
        raise ValueError(port)
    if port < 1024:
        return "well-known"
    return "registered" if port < 49151 else "dynamic"


def range_lecture_split(port):
    """The slides' two ranges: everything above 1023 is dynamic."""
    if not 0 <= port <= 65535:
        raise ValueError(port)
    return "well-known" if port <= 1023 else "dynamic"


def range_no_upper_limit(port):
    """Never refuses a port above 65535."""
    if port < 0:
        raise ValueError(port)
    if port <= 1023:
        return "well-known"
    return "registered" if port <= 49151 else "dynamic"


def range_none_outside(port):
    """Returns None for a port out of range instead of raising."""
    for first, last, name in ((0, 1023, "well-known"), (1024, 49151, "registered"), (49152, 65535, "dynamic")):
        if first <= port <= last:
            return name
    return None


def lookup_lets_oserror_escape(name, protocol="tcp"):
    """A missing entry (or /etc/services) crashes with getservbyname's OSError."""
    return socket.getservbyname(name, protocol)


def lookup_returns_none(name, protocol="tcp"):
    """Swallows the error: the caller gets None as a port."""
    try:
        return socket.getservbyname(name, protocol)
    except OSError:
        return None


def lookup_ignores_protocol(name, protocol="tcp"):
    """Asks for the name without the protocol: ntp/tcp comes back as 123."""
    try:
        return socket.getservbyname(name)
    except OSError:
        raise LookupError(f"no {protocol} service called {name!r}") from None


def lookup_vague_error(name, protocol="tcp"):
    """Raises LookupError, but the message does not say what was not found."""
    try:
        return socket.getservbyname(name, protocol)
    except OSError:
        raise LookupError("not found") from None


def addresses_keeps_ipv6(host):
    """Forgets to filter the family: IPv6 addresses slip in."""
    return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, None)))


def addresses_no_dedupe(host):
    """One entry per socket type: every address three times."""
    return [info[4][0] for info in socket.getaddrinfo(host, None) if info[0] == socket.AF_INET]


def addresses_sorted_set(host):
    """Deduplicates with a set and sorts: the resolver's order is lost."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None, socket.AF_INET)})


def addresses_sockaddrs(host):
    """Returns the sockaddr tuples, not the addresses."""
    return list(dict.fromkeys(info[4] for info in socket.getaddrinfo(host, None, socket.AF_INET)))


def addresses_swallows_errors(host):
    """Turns 'no such name' into an empty list."""
    try:
        infos = socket.getaddrinfo(host, None, socket.AF_INET)
    except socket.gaierror:
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


def addresses_gethostbyname_ex(host):
    """Uses the obsolete gethostbyname_ex."""
    return list(dict.fromkeys(socket.gethostbyname_ex(host)[2]))
