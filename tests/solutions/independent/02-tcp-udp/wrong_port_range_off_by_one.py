"""Mistake (port_range): strict < at the top of each range, so the last port of a range (1023,
49151) lands in the next one."""


def port_range(port):
    if port < 0 or port > 65535:
        raise ValueError(f"not a port: {port}")
    if port < 1023:
        return "well-known"
    if port < 49151:
        return "registered"
    return "dynamic"
