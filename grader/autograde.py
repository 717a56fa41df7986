"""Grading a whole class: intake, parallel autograding through nbgrader, feedback, grades.csv.

``grade_class(submissions, jobs=N)`` takes in ``<student>/<assignment>/<notebook>.ipynb``
(see ``grader.intake``), runs stock nbgrader's autograde and generate_feedback for each
submission in N worker processes (each keeps one nbgrader API, so nbgrader starts once per
worker, not once per submission), and returns one ``Row`` per student and assignment,
flags included. Every submission gets a row: one that could not be graded gets 0 points,
its flags and a feedback page that says why.
"""

import csv
import html
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import nbformat
from traitlets.config.loader import PyFileConfigLoader

from .intake import take_in
from .paths import COURSE, GRADER, assignments
from .release import generate


@dataclass
class Row:
    student_id: str
    assignment: str
    score: float = 0.0
    max_score: float = 0.0
    flags: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)  # grade_id -> (score, max_score)

    def csv_row(self):
        return [self.student_id, self.assignment, f"{self.score:g}", f"{self.max_score:g}",
                "; ".join(str(f) for f in self.flags)]


def course_config(course, stock=False, sandbox="bwrap"):
    """This course's nbgrader config, with every generated folder and the gradebook under ``course``.

    ``stock`` keeps nbgrader's own execute step, for comparing against it (``bench/``);
    ``sandbox`` is where kernels run (``grader.execute.RobustExecute.sandbox``).
    """
    config = PyFileConfigLoader("nbgrader_config.py", path=str(GRADER)).load_config()
    config.RobustExecute.sandbox = sandbox
    if stock:
        del config.Autograde["autograde_preprocessors"]
    course = Path(course)
    for kind in ("release", "autograded", "feedback"):
        setattr(config.CourseDirectory, f"{kind}_directory", str(course / kind))
    # Our intake writes the cleaned copies here, so nbgrader's own course/submitted is never touched.
    config.CourseDirectory.submitted_directory = str(course / "intake")
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    config.RobustExecute.deadlines_file = str(course / "deadlines.json")
    return config


_API = None


def _grade_one(course, assignment, student, stock=False, sandbox="bwrap"):
    """In a worker: autograde one submission and generate its feedback; return (ok, log tail)."""
    global _API
    if _API is None:
        warnings.filterwarnings("ignore")  # SQLAlchemy's warnings inside nbgrader are not the instructor's business
        from nbgrader.apps import NbGraderAPI
        _API = NbGraderAPI(config=course_config(course, stock, sandbox))
    result = _API.autograde(assignment, student, force=True, create=True)
    text = f"{result.get('log') or ''}\n{result.get('error') or ''}"
    if "sandbox failed: " in text:  # say why this submission's sandbox did not start, not nbgrader's summary
        return False, "sandbox failed: " + text.split("sandbox failed: ", 1)[1].splitlines()[0]
    if result.get("success"):
        feedback = _API.generate_feedback(assignment, student, force=True)
        if not feedback.get("success"):
            return False, "feedback failed: " + (feedback.get("error") or feedback.get("log", ""))[-2000:]
    return bool(result.get("success")), (result.get("error") or result.get("log") or "")[-2000:]


def ensure_released(course, names):
    """Release the assignments into ``course`` unless their student versions are already there."""
    release = Path(course) / "release"
    needed = [release / n / f"{n}.ipynb" for n in names] + [Path(course) / "gradebook.db", Path(course) / "deadlines.json"]
    if not all(path.is_file() for path in needed):
        generate(course, names)


def progress(done, total, label, out=sys.stderr):
    width = 30
    filled = int(width * done / total) if total else width
    out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:50]:<50}")
    if done == total:
        out.write("\n")
    out.flush()


def grade_class(submissions, jobs=1, course=COURSE, show_progress=True, stock=False, sandbox="bwrap"):
    """Grade every submission under ``submissions``; write grades.csv and feedback; return the rows.

    With ``sandbox="bwrap"`` (the default) it stops with ``SandboxUnavailable`` before grading
    anything when bubblewrap cannot start here; ``"none"`` grades without it and flags every row.
    """
    course = Path(course)
    if sandbox == "bwrap" and not stock:
        from .sandbox import probe
        probe()
    names = assignments()
    ensure_released(course, names)
    intakes = take_in(submissions, course / "release", course / "intake", names)
    tasks = [(i.assignment, i.student) for i in intakes if i.gradable]
    failures = {}
    start = time.monotonic()
    if tasks:
        with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(_grade_one, str(course), a, s, stock, sandbox): (a, s) for a, s in tasks}
            for done, future in enumerate(as_completed(futures), 1):
                assignment, student = futures[future]
                try:
                    ok, log = future.result()
                except Exception as exc:  # a worker that crashed must not drop the submission
                    ok, log = False, repr(exc)
                if not ok:
                    failures[(student, assignment)] = log
                if show_progress:
                    progress(done, len(tasks), f"{student}/{assignment}")
    rows = collect_rows(course, intakes, failures, sandbox=None if stock else sandbox)
    write_csv(rows, course / "grades.csv")
    write_missing_feedback(rows, course / "feedback")
    if show_progress:
        sys.stderr.write(f"graded {len(tasks)} submissions in {time.monotonic() - start:.1f} s with {jobs} job(s)\n")
    return rows


def notebook_flags(path):
    """Flags read off an autograded notebook: cells that hung or killed the kernel.

    A try-it cell that ran long is not flagged: it is practice, and waiting on a wrong answer is its job.
    (A try-it cell that killed the kernel is.)
    """
    from .execute import cell_flags

    flags = []
    if not path.is_file():
        return flags
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        practice = "tryit" in cell.metadata.get("tags", [])
        flags.extend(cell_flags(cell, cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {nb.cells.index(cell) + 1}"))
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            where = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {nb.cells.index(cell) + 1}"
            if output.get("ename") == "KernelRestarted":
                flags.append(("kernel restarted", f"{where}: {output['evalue'].split('.')[0]}"))
            elif output.get("ename") == "CellTimeoutError" and not practice:
                flags.append(("timeout", f"{where} ran past its deadline"))
    return flags


def collect_rows(course, intakes, failures, sandbox="bwrap"):
    from nbgrader.api import Gradebook, MissingEntry
    from .execute import SANDBOX_FAILED
    from .intake import Flag

    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "sockets") as gb:
        for intake in intakes:
            row = Row(intake.student, intake.assignment, flags=list(intake.flags))
            if sandbox == "none":
                row.flags.append(Flag("no sandbox", "graded with --sandbox none: student code ran with the grader's rights"))
            try:
                assignment = gb.find_assignment(intake.assignment)
                row.max_score = assignment.max_score
            except MissingEntry:
                rows.append(row)
                continue
            if (intake.student, intake.assignment) in failures:
                log = failures[(intake.student, intake.assignment)]
                if f"{SANDBOX_FAILED}: " in log:  # the sandbox of this one submission did not start
                    row.flags.append(Flag(SANDBOX_FAILED, log.split(f"{SANDBOX_FAILED}: ", 1)[1].strip().splitlines()[0][:300]))
                else:
                    row.flags.append(Flag("grading failed", log.strip().splitlines()[-1][:200]))
            elif intake.gradable:
                try:
                    submission = gb.find_submission(intake.assignment, intake.student)
                    row.score = submission.score
                    for notebook in submission.notebooks:
                        for grade in notebook.grades:
                            if grade.cell_type == "code" or grade.auto_score is not None:
                                row.cells[grade.name] = (grade.score, grade.max_score)
                except MissingEntry:
                    row.flags.append(Flag("grading failed", "nbgrader recorded no grade"))
                path = course / "autograded" / intake.student / intake.assignment / f"{intake.assignment}.ipynb"
                row.flags.extend(Flag(kind, reason) for kind, reason in notebook_flags(path))
            rows.append(row)
    return rows


def write_csv(rows, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", "assignment", "score", "max_score", "flags"])
        for row in sorted(rows, key=lambda r: (r.student_id, r.assignment)):
            writer.writerow(row.csv_row())


def write_missing_feedback(rows, feedback):
    """A feedback page for each submission nbgrader could not grade, saying why."""
    for row in rows:
        folder = feedback / row.student_id / row.assignment
        if folder.is_dir() and any(folder.glob("*.html")):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        items = "".join(f"<li>{html.escape(str(flag))}</li>" for flag in row.flags) or "<li>no notebook was graded</li>"
        (folder / f"{row.assignment}.html").write_text(
            f"<!doctype html><meta charset='utf-8'><title>{html.escape(row.assignment)}: feedback</title>"
            f"<h1>{html.escape(row.assignment)}</h1><p>Score: {row.score:g} / {row.max_score:g}</p>"
            f"<p>Your submission could not be graded in full:</p><ul>{items}</ul>"
            "<p>Fix what is listed, submit again, or ask your instructor.</p>", encoding="utf-8")
