"""Mistake (exercise 4): SO_REUSEADDR is set, but after bind, where it comes too late for
that bind."""
import socket


def make_listener(host, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((host, port))
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.listen(16)
    return listener


def serve_echo(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)
