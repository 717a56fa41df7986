"""nbgrader's configuration for this course.

Run nbgrader from this folder (``cd grader && nbgrader generate_assignment 01-client-server-ftp``).
The source notebooks are ``notebooks/`` at the top of the repository; everything nbgrader
generates (release, submitted, autograded, feedback, gradebook) goes to ``course/``, which
git ignores. Loading this file creates ``course/`` (nbgrader's gradebook cannot be created
in a missing folder) and puts the running interpreter's ``bin/`` on PATH (nbgrader runs
``alembic`` from there), so ``../.venv/bin/nbgrader ...`` works with no activated environment.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (nbgrader provides get_config)

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "course"
COURSE.mkdir(exist_ok=True)
if str(Path(sys.executable).parent) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])

c.CourseDirectory.course_id = "sockets"
c.CourseDirectory.root = str(REPO)
c.CourseDirectory.source_directory = "notebooks"
c.CourseDirectory.release_directory = "course/release"
c.CourseDirectory.submitted_directory = "course/submitted"
c.CourseDirectory.autograded_directory = "course/autograded"
c.CourseDirectory.feedback_directory = "course/feedback"
c.CourseDirectory.db_url = f"sqlite:///{COURSE / 'gradebook.db'}"

# Grading runs each cell under its own deadline and survives dead kernels (grader/execute.py).
c.Autograde.autograde_preprocessors = [
    "grader.execute.RobustExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.RobustExecute.deadlines_file = str(COURSE / "deadlines.json")

# Feedback shows what hidden tests found, never their code (grader/feedback_filter.py; nbgrader issue #1363).
c.GenerateFeedback.preprocessors = [
    "grader.feedback_filter.HideHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# nbgrader's OverwriteCells warns for every test cell with hidden tests; ours only for real edits (grader/overwrite.py).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "grader.overwrite.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Late submissions (after the assignment's duedate in the gradebook) lose 10% of their score
# per started day late (grader/late.py); set per_day = 0 to show lateness without a penalty.
c.AssignLatePenalties.plugin_class = "grader.late.LatePenalty"
c.LatePenalty.per_day = 0.1

# `nbgrader export` writes course/grades.csv, the same file as `python -m grader export`.
c.ExportApp.plugin_class = "grader.export.GradesExport"

# Every kernel runs in a bubblewrap sandbox (grader/sandbox.py): no view of the gradebook, other
# submissions or this repository, loopback only, and nothing it starts outlives it. 'none' grades
# with the grader's own rights (only for code you trust).
c.RobustExecute.sandbox = "bwrap"
