"""Mistake (exercise 4): the echo loop never checks for b'': after the first client closes,
the server spins echoing b'' for ever and never accepts the next client."""
import socket


def make_listener(host, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(16)
    return listener


def serve_echo(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            while True:
                data = conn.recv(65536)
                conn.sendall(data)
