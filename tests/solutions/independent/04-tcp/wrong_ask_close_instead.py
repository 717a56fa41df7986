"""Mistake (exercise 6): close() instead of shutdown(SHUT_WR) to signal the end of the
request: the socket is gone and the reply cannot be read."""
import socket


def ask(host, port, request):
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(request)
    sock.close()
    reply = b""
    while chunk := sock.recv(4096):
        reply += chunk
    return reply
