"""Mistake (exercise 6): the request is sent but the sending direction is never shut down,
so a server that reads until EOF never answers (the client waits until its timeout)."""
import socket


def ask(host, port, request):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    return reply
