"""Mistake (exercise 2): recv_until returns the bytes before the delimiter, without the
delimiter itself (the spec says up to and including it)."""


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
        line, _, self.buffer = self.buffer.partition(delimiter)
        return line

    def recv_exactly(self, n):
        while len(self.buffer) < n:
            self._receive()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def recv_to_eof(self):
        while chunk := self.sock.recv(4096):
            self.buffer += chunk
        data, self.buffer = self.buffer, b""
        return data
