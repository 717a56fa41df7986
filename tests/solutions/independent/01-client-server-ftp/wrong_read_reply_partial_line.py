"""Mistake (read_reply): b'' raises EOFError, but a last line without its \n (the connection
closed in the middle of it) is taken as complete."""


def read_reply(reader):
    def line():
        raw = reader.readline()
        if not raw:
            raise EOFError("connection closed")
        return raw.decode().rstrip("\r\n")

    first = line()
    if not (first[:3].isdigit() and first[3:4] in (" ", "-")):
        raise ValueError(f"not an FTP reply: {first!r}")
    lines = [first[4:]]
    if first[3] == "-":
        while True:
            current = line()
            if current.startswith(first[:3] + " "):
                lines.append(current[4:])
                break
            lines.append(current)
    return int(first[:3]), "\n".join(lines)
