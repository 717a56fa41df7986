"""Mistake (ipv4_addresses): no filter on the family, so IPv6 addresses are listed too."""

import socket


def ipv4_addresses(host):
    return list(dict.fromkeys(sockaddr[0] for *_, sockaddr in socket.getaddrinfo(host, None)))
