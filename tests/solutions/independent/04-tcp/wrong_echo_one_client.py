"""Mistake (exercise 4): no outer loop: the server serves one client and returns, so the
second client is never served."""
import socket


def make_listener(host, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(16)
    return listener


def serve_echo(listener):
    conn, _ = listener.accept()
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)
