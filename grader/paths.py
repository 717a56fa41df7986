"""Where the course's files live: the repository, the source notebooks, nbgrader's course folder."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
GRADER = REPO / "grader"
COURSE = REPO / "course"


def assignments():
    """The assignment names, in lecture order: folders of ``notebooks/`` holding a notebook."""
    return sorted(p.parent.name for p in NOTEBOOKS.glob("*/*.ipynb") if p.stem == p.parent.name)
