"""Executing a notebook in a fresh kernel and reading what each cell showed (shared by tests and bench)."""

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# What a failing check raises in a test cell; anything else there is a defect of the check.
CHECK_ERRORS = {"CheckFailed", "StudentCodeError", "DeadlineExceeded"}


def execute(path, *, allow_errors, cell_timeout=120):
    """Run the notebook at ``path`` top to bottom in its own folder; return (notebook, seconds)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=cell_timeout, kernel_name="python3",
                            allow_errors=allow_errors, resources={"metadata": {"path": str(path.parent)}})
    start = time.monotonic()
    client.execute()
    return nb, time.monotonic() - start


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell):
    return cell.cell_type == "code" and nbgrader_meta(cell).get("grade", False)


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def stderr_text(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")


def describe(cell):
    meta = nbgrader_meta(cell)
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else "(empty)"
    return meta.get("grade_id") or first[:60]
