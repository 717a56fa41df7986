"""Mistake (port_range): the upper bound taken as 65536 (2**16, the count of ports), so 65536 is
accepted as a dynamic port."""


def port_range(port):
    if port < 0 or port > 65536:
        raise ValueError(f"not a port: {port}")
    if port <= 1023:
        return "well-known"
    if port <= 49151:
        return "registered"
    return "dynamic"
