"""read_reply, wrong in the classic ways (each function is one mistake)."""

import re


def one_read_is_one_reply(reader):
    """Takes whatever one read returns as the whole reply (one recv = one message)."""
    data = reader.read1(4096).decode()
    lines = data.rstrip("\r\n").split("\r\n")
    lines[0] = lines[0][4:]
    if len(lines) > 1:
        lines[-1] = lines[-1][4:]
    return int(data[:3]), "\n".join(lines)


def single_line(reader):
    """Reads one line and stops, even at '220-' (a multi-line reply's first line)."""
    line = reader.readline().decode().rstrip("\r\n")
    return int(line[:3]), line[4:]


def dash_lines_only(reader):
    """Goes on only while lines start with 'ddd-': stops at a middle line without the code."""
    line = reader.readline().decode().rstrip("\r\n")
    code, lines = line[:3], [line[4:]]
    while line[3:4] == "-":
        line = reader.readline().decode().rstrip("\r\n")
        lines.append(line[4:] if line.startswith(code) else line)
    return int(code), "\n".join(lines)


def loops_forever_at_eof(reader):
    """Never notices readline() returning b'' (the peer closed): spins forever."""
    first = reader.readline()
    code, lines = first[:3], [first[4:].rstrip(b"\r\n")]
    line = first
    while line[:4] != code + b" ":
        line = reader.readline()
        if line:
            lines.append(line.rstrip(b"\r\n"))
    if len(lines) > 1:
        lines[-1] = lines[-1][4:]
    return int(code), b"\n".join(lines).decode()


def with_reference(reader):
    """Lets netkit's reference parser do the exercise."""
    from netkit.ftpproto import ReplyParser

    parser = ReplyParser()
    while (reply := parser.next_reply()) is None:
        parser.feed(reader.readline())
    return reply


def keeps_cr(reader):
    """Cuts only the b'\\n' of each line: every line of the text keeps its '\\r'."""
    first = reader.readline().decode()[:-1]
    code, lines = first[:3], [first[4:]]
    if first[3:4] == "-":
        while not (line := reader.readline().decode()[:-1]).startswith(code + " "):
            lines.append(line)
        lines.append(line[4:])
    return int(code), "\n".join(lines)


def strips_lines(reader):
    """strip()s every line: the lines in between lose their leading spaces."""
    first = reader.readline().decode().strip()
    code, lines = first[:3], [first[4:]]
    if first[3:4] == "-":
        while not (line := reader.readline().decode().strip()).startswith(code + " "):
            lines.append(line)
        lines.append(line[4:])
    return int(code), "\n".join(lines)


def any_code_ends(reader):
    """Ends a multi-line reply at the first line 'ddd text' of any code, not only of its own."""
    first = reader.readline().decode().rstrip("\r\n")
    code, lines = first[:3], [first[4:]]
    if first[3:4] == "-":
        while not re.match(r"\d{3} ", line := reader.readline().decode().rstrip("\r\n")):
            lines.append(line)
        lines.append(line[4:])
    return int(code), "\n".join(lines)


def partial_line(reader):
    """Raises EOFError for b'', but takes a last line without b'\\n' (the server closed inside it) as whole."""

    def line():
        raw = reader.readline()
        if not raw:
            raise EOFError("the server closed the connection")
        return raw.decode().rstrip("\r\n")

    first = line()
    if not re.match(r"\d{3}[ -]", first):
        raise ValueError(f"not an FTP reply: {first!r}")
    code, lines = first[:3], [first[4:]]
    if first[3] == "-":
        while not (current := line()).startswith(code + " "):
            lines.append(current)
        lines.append(current[4:])
    return int(code), "\n".join(lines)


def no_separator_check(reader):
    """Checks the three digits but not the fourth character: b'220\\r\\n' and b'2200 x' pass as replies."""

    def line():
        raw = reader.readline()
        if not raw.endswith(b"\n"):
            raise EOFError("the server closed the connection in the middle of a reply")
        return raw.decode().rstrip("\r\n")

    first = line()
    if not first[:3].isdigit():
        raise ValueError(f"not an FTP reply: {first!r}")
    code, lines = first[:3], [first[4:]]
    if first[3:4] == "-":
        while not (current := line()).startswith(code + " "):
            lines.append(current)
        lines.append(current[4:])
    return int(code), "\n".join(lines)
