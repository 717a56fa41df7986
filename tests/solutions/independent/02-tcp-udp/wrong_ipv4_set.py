"""Mistake (ipv4_addresses): duplicates removed with a set, which loses the resolver's order
(the preferred address first)."""

import socket


def ipv4_addresses(host):
    infos = socket.getaddrinfo(host, None, socket.AF_INET)
    return sorted({sockaddr[0] for *_, sockaddr in infos})
