"""Mistake (exercise 2): when the peer closes before the delimiter, recv_until returns
the partial line in the buffer instead of raising EOFError (like file.readline())."""


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
            chunk = self.sock.recv(4096)
            if not chunk:
                data, self.buffer = self.buffer, b""
                return data
            self.buffer += chunk
        end = self.buffer.index(delimiter) + len(delimiter)
        line, self.buffer = self.buffer[:end], self.buffer[end:]
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
