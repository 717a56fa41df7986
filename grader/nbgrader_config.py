"""nbgrader's configuration for this course.

Run nbgrader from this folder (``cd grader && nbgrader generate_assignment 01-client-server-ftp``).
The source notebooks are ``notebooks/`` at the top of the repository; everything nbgrader
generates (release, submitted, autograded, feedback, gradebook) goes to ``course/``, which
git ignores.
"""

from pathlib import Path

c = get_config()  # noqa: F821  (nbgrader provides get_config)

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "course"

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
# Every kernel runs in a bubblewrap sandbox (grader/sandbox.py): no view of the gradebook, other
# submissions or this repository, loopback only, and nothing it starts outlives it. 'none' grades
# with the grader's own rights (only for code you trust).
c.RobustExecute.sandbox = "bwrap"
