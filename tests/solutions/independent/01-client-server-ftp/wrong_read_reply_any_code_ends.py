"""Mistake (read_reply): a multi-line reply taken to end at the first line that starts with any
three digits and a space, not with the first line's own code and a space."""

import re


def read_reply(reader):
    lines = []
    while True:
        raw = reader.readline()
        if not raw.endswith(b"\n"):
            raise EOFError("connection closed")
        line = raw.decode().rstrip("\r\n")
        lines.append(line)
        if len(lines) == 1 and not re.fullmatch(r"[0-9]{3}[ -].*", line, re.DOTALL):
            raise ValueError(f"not an FTP reply: {line!r}")
        if re.match(r"[0-9]{3} ", line):
            break
    code = int(lines[0][:3])
    lines[0] = lines[0][4:]
    if len(lines) > 1:
        lines[-1] = lines[-1][4:]
    return code, "\n".join(lines)
