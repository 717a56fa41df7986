"""Reading a cell's nbgrader metadata: its role (test, solution, locked), its id and its points.

One reader for every module that asks, so a notebook cell means the same thing to intake,
execution, deadlines and the samples. Works on nbformat nodes and plain dicts alike.
"""


def nbgrader_meta(cell):
    """The cell's ``metadata.nbgrader`` (empty for a cell nbgrader does not know)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    """The cell's nbgrader id, or None for an unmarked cell."""
    return nbgrader_meta(cell).get("grade_id")


def is_graded(cell):
    """A cell that carries points (nbgrader's ``grade``): a test cell, or a graded answer."""
    return bool(nbgrader_meta(cell).get("grade"))


def is_test_cell(cell):
    """A code cell that carries points: the checks nbgrader scores."""
    return cell.get("cell_type") == "code" and is_graded(cell)


def is_solution(cell):
    """A cell the student writes in."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_protected(cell):
    """A cell the student must not change: a test cell (not also a solution), or a locked one."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade") and not meta.get("solution")) or bool(meta.get("locked"))


def points(cell):
    """The points nbgrader gives the cell (0 when none are declared)."""
    return nbgrader_meta(cell).get("points", 0)
