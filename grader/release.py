"""Generating the student versions of the notebooks with nbgrader.

``generate(dest)`` runs stock ``nbgrader generate_assignment`` once for all assignments,
with this course's config but the release folder and gradebook placed under ``dest``,
so tests and tools can release into a temporary folder without touching ``course/``.
"""

import subprocess
import sys
from pathlib import Path

from . import deadlines
from .paths import COURSE, GRADER, NOTEBOOKS, assignments


def nbgrader_command(*args, course=None):
    """The command line that runs nbgrader with this course's config.

    ``course`` moves every generated folder and the gradebook under another folder.
    """
    command = [sys.executable, "-m", "nbgrader", *args]
    if course is not None:
        course = Path(course)
        for kind in ("release", "submitted", "autograded", "feedback"):
            command.append(f"--CourseDirectory.{kind}_directory={course / kind}")
        command.append(f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}")
    return command


def generate(course=None, names=None, time_cells=True):
    """Release the student version of each assignment (all by default) into ``course``/release.

    Unless ``time_cells`` is false, also times each cell of the solution, for the grading deadlines (``grader.deadlines``).
    Returns ``{assignment: path of its student notebook}``. Raises ``RuntimeError`` with
    nbgrader's own log when nbgrader fails.
    """
    names = list(names or assignments())
    course = Path(course) if course is not None else COURSE
    course.mkdir(parents=True, exist_ok=True)
    pattern = names[0] if len(names) == 1 else "*"
    done = subprocess.run(
        nbgrader_command("generate_assignment", pattern, "--force", course=course),
        cwd=GRADER, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{done.stdout}\n{done.stderr}")
    if time_cells:
        tables = deadlines.load(course / "deadlines.json")
        for name in names:
            tables[name] = deadlines.measure(NOTEBOOKS / name / f"{name}.ipynb")
        deadlines.save(tables, course / "deadlines.json")
    release = course / "release"
    return {name: release / name / f"{name}.ipynb" for name in names}
