"""Mistake (read_reply): lets ftplib do the work (FTP.getmultiline over the reader), which the
exercise forbids."""

import ftplib
import io


def read_reply(reader):
    ftp = ftplib.FTP()
    ftp.file = io.TextIOWrapper(reader, encoding="utf-8", newline="")
    try:
        raw = ftp.getmultiline()
    finally:
        ftp.file.detach()
    if not raw:
        raise EOFError("connection closed")
    if not (raw[:3].isdigit() and raw[3:4] in (" ", "-")):
        raise ValueError(f"not an FTP reply: {raw!r}")
    lines = raw.split("\n")
    lines[0] = lines[0][4:]
    if len(lines) > 1:
        lines[-1] = lines[-1][4:]
    return int(raw[:3]), "\n".join(lines)
