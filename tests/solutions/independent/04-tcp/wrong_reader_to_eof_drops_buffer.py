"""Mistake (exercise 2): recv_to_eof returns only what arrives from the socket and forgets
the bytes already in the buffer."""


class SocketReader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _receive(self):
        chunk = self.sock.recv(4096)
        if not chunk:
            raise EOFError("peer closed")
        self.buffer += chunk

    def recv_until(self, delimiter):
        while delimiter not in self.buffer:
            self._receive()
        end = self.buffer.index(delimiter) + len(delimiter)
        line, self.buffer = self.buffer[:end], self.buffer[end:]
        return line

    def recv_exactly(self, n):
        while len(self.buffer) < n:
            self._receive()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def recv_to_eof(self):
        data = b""
        while chunk := self.sock.recv(4096):
            data += chunk
        self.buffer = b""
        return data
