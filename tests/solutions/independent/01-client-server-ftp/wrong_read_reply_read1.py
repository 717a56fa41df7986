"""Mistake (read_reply): one read1() (the file object's "one recv") taken as one whole reply:
a reply cut in pieces comes back partial, and two replies in one segment come back as one."""


def read_reply(reader):
    data = reader.read1(4096)
    if not data:
        raise EOFError("connection closed")
    if not (data[:3].isdigit() and data[3:4] in (b" ", b"-")):
        raise ValueError(f"not an FTP reply: {data!r}")
    lines = data.decode().split("\r\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines[0] = lines[0][4:]
    if len(lines) > 1:
        lines[-1] = lines[-1][4:]
    return int(data[:3]), "\n".join(lines)
