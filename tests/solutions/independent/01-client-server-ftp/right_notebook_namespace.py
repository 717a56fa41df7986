"""right_lines' code in the notebook's namespace: the setup cell's imports and ftplib from the demo in part 7."""
import io
import pathlib
import re
import socket
import ftplib  # noqa: F401  (notebook part 7's demo cell: "for this demo only")

from netkit.ftpproto import REPLY_CLASSES, FTPError, describe  # noqa: F401

exec(compile((pathlib.Path(__file__).parent / "right_lines.py").read_text(), "right_lines.py", "exec"))
