"""Notebook 05's own solutions, read from the source notebook, to test them outside it.

``load(clock=None)`` runs the notebook's setup cells (imports, ``NTP_EPOCH_OFFSET``) and
every solution cell in a fresh namespace and returns it. ``clock`` stands in for the wall
clock the code reads as ``time.time()`` (``time.monotonic`` and ``time.perf_counter`` stay
real), so a test can put the reference client in 2040 without touching the system clock.
The module-level names are the solutions with the real clock.
"""

import json
import time
import types
from pathlib import Path

NOTEBOOK = Path(__file__).parents[3] / "notebooks" / "05-udp-ntp" / "05-udp-ntp.ipynb"
SETUP = ("import socket", "NTP_EPOCH_OFFSET =")   # the cells a solution relies on


def _code_cells():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        text = "".join(cell["source"])
        solution = cell["metadata"].get("nbgrader", {}).get("solution", False)
        if cell["cell_type"] == "code" and (solution or text.startswith(SETUP)):
            yield text


def load(clock=None):
    """A namespace holding the notebook's solutions; ``clock`` replaces ``time.time``."""
    namespace = {"__name__": "notebook_05_reference"}
    for text in _code_cells():
        # the setup cell's plotting and ntplib imports are not needed here
        text = "\n".join(line for line in text.splitlines() if "matplotlib" not in line)
        exec(compile(text, str(NOTEBOOK), "exec"), namespace)
    if clock is not None:
        namespace["time"] = types.SimpleNamespace(
            time=clock, monotonic=time.monotonic, perf_counter=time.perf_counter, sleep=time.sleep)
    return namespace


_REAL = load()
build_request = _REAL["build_request"]
parse_reply = _REAL["parse_reply"]
sntp_query = _REAL["sntp_query"]
make_ntp_socket = _REAL["make_ntp_socket"]
serve_ntp = _REAL["serve_ntp"]
ping = _REAL["ping"]
