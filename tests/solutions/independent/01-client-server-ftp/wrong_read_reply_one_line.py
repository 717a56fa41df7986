"""Mistake (read_reply): one readline() taken as the whole reply, so a multi-line reply is cut
after its first line and the rest is left in the reader for the next call."""


def read_reply(reader):
    line = reader.readline()
    if not line.endswith(b"\n"):
        raise EOFError("connection closed")
    if not (line[:3].isdigit() and line[3:4] in (b" ", b"-")):
        raise ValueError(f"not an FTP reply: {line!r}")
    return int(line[:3]), line[4:].rstrip(b"\r\n").decode()
