"""Mistake (ipv4_addresses): socket.gaierror is caught and an empty list returned, so a name that
does not exist looks like a name without IPv4 addresses."""

import socket


def ipv4_addresses(host):
    try:
        infos = socket.getaddrinfo(host, None, socket.AF_INET)
    except socket.gaierror:
        return []
    return list(dict.fromkeys(sockaddr[0] for *_, sockaddr in infos))
