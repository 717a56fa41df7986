"""Mistake (ipv4_addresses): no deduplication: getaddrinfo returns one tuple per socket type, so
every address is listed two or three times."""

import socket


def ipv4_addresses(host):
    return [sockaddr[0] for *_, sockaddr in socket.getaddrinfo(host, None, socket.AF_INET)]
