"""Mistake (port_range): numbers outside 0-65535 are not refused: 70000 is called dynamic and
-1 well-known."""


def port_range(port):
    if port <= 1023:
        return "well-known"
    if port <= 49151:
        return "registered"
    return "dynamic"
