"""Mistake (exercise 4): the accepted connection is never closed: the client never sees
EOF after its echo, and the server leaks one descriptor per client."""
import socket


def make_listener(host, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(16)
    return listener


_clients = []


def serve_echo(listener):
    while True:
        conn, _ = listener.accept()
        _clients.append(conn)           # kept (and so never closed by the garbage collector)
        while data := conn.recv(65536):
            conn.sendall(data)
