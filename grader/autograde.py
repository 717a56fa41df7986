"""Grading a class: intake, parallel autograding through nbgrader, feedback, grades.csv.

``grade_class(submissions, jobs=N)`` takes in ``<student>/<assignment>/<notebook>.ipynb``
(see ``grader.intake``) into nbgrader's ``course/submitted/``, runs stock nbgrader's
autograde and generate_feedback for each submission in N worker processes (each keeps one
nbgrader API, so nbgrader starts once per worker, not once per submission), records the
flags (``grader.records``) and returns one ``Row`` per student and assignment of the whole
class: a run updates the submissions it graded, a resubmission replaces the earlier one,
the rest stay. Every submission gets a row: one that could not be graded gets 0 points,
its flags and a feedback page that says why.
"""

import html
import re
import shutil
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import nbformat
from traitlets.config.loader import PyFileConfigLoader

from . import records
from .cells import grade_id, is_graded
from .intake import locate, take_in
from .paths import COURSE, GRADER, assignments
from .records import Flag, Row, write_csv  # noqa: F401  (Row and write_csv are part of this module's interface)
from .release import generate


def course_config(course, stock=False, sandbox="bwrap"):
    """This course's nbgrader config, with every generated folder and the gradebook under ``course``.

    ``stock`` keeps nbgrader's own execute step, for comparing against it (``bench/``);
    ``sandbox`` is where kernels run (``grader.execute.RobustExecute.sandbox``).
    """
    config = PyFileConfigLoader("nbgrader_config.py", path=str(GRADER)).load_config()
    config.RobustExecute.sandbox = sandbox
    if stock:
        del config.Autograde["autograde_preprocessors"]
        del config.Autograde["sanitize_preprocessors"]
    course = Path(course)
    for kind in ("release", "submitted", "autograded", "feedback"):
        setattr(config.CourseDirectory, f"{kind}_directory", str(course / kind))
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


def _grade_in_pool(course, tasks, jobs, stock, sandbox, show_progress):
    """Grade ``tasks`` ((assignment, student) pairs) in worker processes; {(student, assignment): log} of failures."""
    failures = {}
    if not tasks:
        return failures
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
    return failures


def ensure_released(course, names):
    """Release the assignments into ``course`` unless their student versions are already there."""
    from . import deadlines

    course = Path(course)
    timed = deadlines.load(course / "deadlines.json")
    missing = [n for n in names if n not in timed or not (course / "release" / n / f"{n}.ipynb").is_file()]
    if missing or not (course / "gradebook.db").is_file():
        generate(course, missing or names)


def progress(done, total, label, out=sys.stderr):
    width = 30
    filled = int(width * done / total) if total else width
    out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:50]:<50}")
    if done == total:
        out.write("\n")
    out.flush()


def prepare(course, intakes):
    """Before grading: note manual scores, clear what the resubmissions replace; return the tasks."""
    from nbgrader.api import Gradebook, MissingEntry

    ledger = records.load(course)
    with Gradebook(records.db_url(course)) as gb:
        records.sync_reviews(gb, ledger)
        for intake in intakes:
            for kind in ("autograded", "feedback"):
                shutil.rmtree(course / kind / intake.student / intake.assignment, ignore_errors=True)
            try:
                submission = gb.find_submission(intake.assignment, intake.student)
            except MissingEntry:
                continue
            if not intake.gradable:  # the new submission replaces the old one, even when it cannot be graded
                gb.remove_submission(intake.assignment, intake.student)
            elif not (course / "submitted" / intake.student / intake.assignment / "timestamp.txt").is_file():
                submission.timestamp = None  # an earlier submission's time must not make this one late
                gb.db.commit()
    records.save(course, ledger)
    return [(i.assignment, i.student) for i in intakes if i.gradable]


def record(course, intakes, failures, sandbox="bwrap"):
    """After grading: store each graded submission's flags and time; mark it flagged for the formgrader."""
    from nbgrader.api import Gradebook, MissingEntry

    ledger = records.load(course)
    graded = records.now()
    with Gradebook(records.db_url(course)) as gb:
        for intake in intakes:
            flags = list(intake.flags)
            key = (intake.student, intake.assignment)
            if sandbox == "none":
                flags.append(Flag("no sandbox", "graded with --sandbox none: student code ran with the grader's rights"))
            if key in failures and failures[key].startswith("sandbox failed: "):  # this one submission's sandbox
                flags.append(Flag("sandbox failed", failures[key].split(": ", 1)[1][:300]))
            elif key in failures:
                flags.append(Flag("grading failed", (failures[key].strip().splitlines() or ["no log"])[-1][:200]))
            elif intake.gradable:
                try:
                    submission = gb.find_submission(intake.assignment, intake.student)
                except MissingEntry:
                    flags.append(Flag("grading failed", "nbgrader recorded no grade"))
                else:
                    path = course / "autograded" / intake.student / intake.assignment / f"{intake.assignment}.ipynb"
                    flags.extend(Flag(kind, reason) for kind, reason in notebook_flags(path))
                    reviews = records.entry(ledger, intake.student, intake.assignment)["reviews"]
                    flagged = bool(flags or records.review_flags(submission, reviews))
                    for notebook in submission.notebooks:
                        notebook.flagged = flagged  # the formgrader's own "flagged" mark
                    gb.db.commit()
            entry = records.entry(ledger, intake.student, intake.assignment)
            entry["graded"], entry["flags"] = graded, [[f.kind, f.reason] for f in flags]
    records.save(course, ledger)


def grade_class(submissions, jobs=1, course=COURSE, show_progress=True, stock=False, layout="nbgrader", sandbox="bwrap"):
    """Grade every submission under ``submissions`` into the class's record; return the whole class's rows.

    Raises ``grader.intake.LayoutError`` before changing anything when no submission is found,
    and ``grader.sandbox.SandboxUnavailable`` (saying what to install) when ``sandbox="bwrap"``
    (the default) cannot start here; ``"none"`` grades without it and flags every row.
    """
    course = Path(course)
    if sandbox == "bwrap" and not stock:
        from .sandbox import probe
        probe()
    names = assignments()
    found = locate(submissions, names, layout)  # a folder in the wrong layout must change nothing, not even course/
    ensure_released(course, sorted({assignment for _, assignment, _ in found}))
    intakes = take_in(submissions, course / "release", course / "submitted", names, layout)
    for intake in intakes:
        if intake.assignment not in names:
            sys.stderr.write(f"skipped {intake.student}/{intake.assignment}: {intake.flags[0]}\n")
    intakes = [i for i in intakes if i.assignment in names]
    tasks = prepare(course, intakes)
    start = time.monotonic()
    failures = _grade_in_pool(course, tasks, jobs, stock, sandbox, show_progress)
    if failures:  # a busy machine (a kernel slow to start, a locked gradebook) must not cost anyone: once more
        failures = _grade_in_pool(course, [(a, s) for s, a in failures], jobs, stock, sandbox, show_progress)
    record(course, intakes, failures, sandbox=None if stock else sandbox)
    rows = records.class_rows(course)
    write_csv(rows, course / "grades.csv")
    write_missing_feedback(rows, course / "feedback")
    if show_progress:
        sys.stderr.write(f"graded {len(tasks)} submissions in {time.monotonic() - start:.1f} s with {jobs} job(s)\n")
    return rows


def notebook_flags(path):
    """Flags read off an autograded notebook: cells that hung or killed the kernel, and what the guard found.

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
        flags.extend(cell_flags(cell, grade_id(cell) or f"cell {nb.cells.index(cell) + 1}"))
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            where = grade_id(cell) or f"cell {nb.cells.index(cell) + 1}"
            if output.get("ename") == "KernelRestarted":
                # The cause is the message's first sentence, without what it says about points: the flag says
                # whether this cell had any to lose (a scratch cell that kills the kernel costs nothing).
                cause = re.split(r"(?<=[.?])\s", output.get("evalue", ""))[0].split(", so ")[0].rstrip(".")
                lost = "this test cell lost its points; " if is_graded(cell) else ""
                flags.append(("kernel restarted", f"{where}: {cause}; {lost}a fresh kernel graded the cells after it"))
            elif output.get("ename") == "CellTimeoutError" and not practice:
                flags.append(("timeout", f"{where} ran past its deadline"))
    return flags


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
