"""Mistake (ipv4_addresses): the lecture's gethostbyname, which returns a single IPv4 address:
a host with several addresses loses all but one."""

import socket


def ipv4_addresses(host):
    return [socket.gethostbyname(host)]
