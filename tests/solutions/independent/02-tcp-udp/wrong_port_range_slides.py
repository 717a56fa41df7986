"""Mistake (port_range): the slides' two ranges (0-1023 well-known, 1024-65535 dynamic) instead
of IANA's three: no "registered" range."""


def port_range(port):
    if not 0 <= port <= 65535:
        raise ValueError(f"not a port: {port}")
    return "well-known" if port <= 1023 else "dynamic"
