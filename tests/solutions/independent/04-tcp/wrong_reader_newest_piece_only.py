"""Mistake (exercise 2): recv_until searches only the newest piece from recv for the
delimiter, so a multi-byte delimiter split across two recv results is never found."""


class SocketReader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _receive(self):
        chunk = self.sock.recv(4096)
        if not chunk:
            raise EOFError("peer closed")
        self.buffer += chunk
        return chunk

    def recv_until(self, delimiter):
        if delimiter not in self.buffer:
            while True:
                chunk = self._receive()
                if delimiter in chunk:          # only the newest piece is searched
                    break
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
