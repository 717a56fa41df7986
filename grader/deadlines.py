"""Each cell's grading deadline, learned from how long the solution takes.

``measure(source_notebook)`` runs the solution once and times every code cell;
``deadline_for(cell, table)`` gives a cell ``slack x`` its solution time (at least
``floor`` seconds), found by its nbgrader ``grade_id`` or, for an unmarked cell, by
its source. A hung cell then costs a few seconds instead of nbgrader's 30. Cells the
solution never had (a student's scratch cells) get the executor's default.

Once a notebook has hung (``after_hang``), the floor drops to ``HUNG_FLOOR``: the
submission is flagged for review already, and a cell that takes the solution a few
milliseconds (defining functions, calling them) needs far less than a second, so each
later hang costs a quarter as much. Cells that really take time keep ``SLACK`` x theirs.
"""

import hashlib
import json
from datetime import datetime

from .notebook_run import execute

FLOOR = 1.0
HUNG_FLOOR = 0.25
SLACK = 5.0


def cell_key(cell):
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    if grade_id:
        return f"id:{grade_id}"
    return "src:" + hashlib.sha1(cell.source.strip().encode()).hexdigest()


def measure(source_notebook):
    """{cell key: seconds the solution took}, by running ``source_notebook`` once."""
    nb, _ = execute(source_notebook, allow_errors=True, record_timing=True)
    times = {}
    for cell in nb.cells:
        execution = cell.get("metadata", {}).get("execution", {})
        start, end = execution.get("iopub.execute_input"), execution.get("shell.execute_reply")
        if cell.cell_type == "code" and start and end:
            seconds = (datetime.fromisoformat(end.replace("Z", "+00:00")) -
                       datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
            times[cell_key(cell)] = round(seconds, 3)
    return times


def deadline_for(cell, table, after_hang=False):
    """The cell's deadline in seconds, or None when the solution never ran such a cell."""
    seconds = table.get(cell_key(cell))
    return None if seconds is None else max(HUNG_FLOOR if after_hang else FLOOR, SLACK * seconds)


def save(tables, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tables, indent=1, sort_keys=True), encoding="utf-8")


class DeadlinesFileError(ValueError):
    """The deadlines file is there but is not the table ``save`` writes."""


def load(path):
    """The tables ``save`` wrote to ``path``, or {} when there is no such file yet.

    A file that cannot be read raises DeadlinesFileError naming it: quietly grading every
    cell with the default deadline instead would hide that its learned deadline was lost.
    """
    try:
        tables = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise DeadlinesFileError(_unusable(path, exc)) from None
    if not isinstance(tables, dict) or not all(
        isinstance(table, dict) and all(isinstance(s, (int, float)) for s in table.values())
        for table in tables.values()
    ):
        raise DeadlinesFileError(_unusable(path, "it is not {assignment: {cell: seconds}}"))
    return tables


def _unusable(path, why):
    return (f"{path}: the solution's cell times cannot be read ({why}). Delete the file and run "
            "`python -m grader release` again, which measures them anew.")
