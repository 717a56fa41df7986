"""Mistake (read_reply): every line is .strip()ped, so the lines in between lose their leading
spaces (RFC 959's "  234 A line beginning with numbers" must stay as it is)."""


def read_reply(reader):
    def line():
        raw = reader.readline()
        if not raw.endswith(b"\n"):
            raise EOFError("connection closed")
        return raw.decode().strip()

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
