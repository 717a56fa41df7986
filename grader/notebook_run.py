"""Executing a notebook in a fresh kernel and reading what each cell showed (release checks, tests, bench)."""

import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

from .cells import grade_id, is_test_cell

# What a failing check raises in a test cell; anything else there is a defect of the check.
CHECK_ERRORS = {"CheckFailed", "StudentCodeError", "DeadlineExceeded"}


def execute(path, *, allow_errors, cell_timeout=120, record_timing=False):
    """Run the notebook at ``path`` top to bottom in its own folder; return (notebook, seconds).

    The kernel talks over Unix sockets in a folder of its own, not TCP ports: jupyter_client picks
    free ports, closes them and lets the kernel bind them, and on a machine busy with loopback
    traffic (the tests run in parallel) another socket can take one first and the kernel dies.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets, open(Path(sockets) / "log", "w+b") as log:
        config = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "k")}})
        client = NotebookClient(nb, timeout=cell_timeout, kernel_name="python3", config=config,
                                allow_errors=allow_errors, record_timing=record_timing,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.monotonic()
        try:
            client.execute(stderr=log)  # the kernel's own log lines, not the notebook's output
        except RuntimeError as exc:
            if "Kernel died" not in str(exc):
                raise
            log.seek(0)
            raise RuntimeError(f"{exc} while running {path.name}; the kernel's log ends:\n"
                               + log.read()[-2000:].decode(errors="replace")) from None
        return nb, time.monotonic() - start


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def stderr_text(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")


def describe(cell):
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else "(empty)"
    return grade_id(cell) or first[:60]


def blank_version_problems(nb):
    """What is wrong with an executed student version: a test that passes blank, or a cell that breaks."""
    problems = []
    tests = [c for c in nb.cells if is_test_cell(c)]
    if not tests:
        problems.append("it has no graded test cells")
    for cell in tests:
        if not errors(cell):
            problems.append(f"{describe(cell)} passes on the blank notebook (every exercise must start at 0 points)")
        elif errors(cell)[0]["ename"] not in CHECK_ERRORS:
            problems.append(f"{describe(cell)} fails with {errors(cell)[0]['ename']}, not with a check's message")
    for cell in nb.cells:
        if is_test_cell(cell) or not errors(cell):
            continue
        # A try-it cell may stop at the unwritten exercise, and nowhere else.
        allowed = CHECK_ERRORS | {"NotImplementedError"} if "tryit" in cell.metadata.get("tags", []) else set()
        if errors(cell)[0]["ename"] not in allowed:
            problems.append(f"{describe(cell)} raises {errors(cell)[0]['ename']}: {errors(cell)[0]['evalue'][:200]}")
    return problems
