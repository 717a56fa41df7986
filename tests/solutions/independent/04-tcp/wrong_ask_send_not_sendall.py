"""Mistake (exercise 6): send() instead of sendall() for the request: a big request is only
partly sent before the half-close."""
import socket


def ask(host, port, request):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.send(request)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    return reply
