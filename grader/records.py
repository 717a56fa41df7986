"""The class's grading record: nbgrader's gradebook plus the grader's own flags, as rows.

The gradebook (``course/gradebook.db``) holds every score, manual ones included; the grader
keeps what nbgrader has no place for in ``course/flags.json``: each submission's flags, when
it was graded, and the automatic score each manual score was given against. ``class_rows``
joins the two into one ``Row`` per student and assignment, for the whole class, so
``grades.csv``, the report and the LMS exports always describe every submission and agree
with ``nbgrader export`` (score = raw score - late penalty, as nbgrader computes it).

A manual score stands when a resubmission changes what that cell scored automatically, and
the row is flagged ("manual score kept") until the instructor grades that cell again.
"""

import csv
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

LEDGER = "flags.json"
COLUMNS = ["student_id", "assignment", "score", "max_score", "late", "late_penalty", "submitted", "graded", "flags"]


@dataclass(frozen=True)
class Flag:
    kind: str
    reason: str

    def __str__(self):
        return f"{self.kind}: {self.reason}"


@dataclass
class Row:
    student_id: str
    assignment: str
    score: float = 0.0
    max_score: float = 0.0
    flags: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)  # grade_id -> (score, max_score)
    seconds_late: float = 0.0
    penalty: float = 0.0
    submitted: str = ""  # the submission's timestamp (nbgrader's timestamp.txt), ISO, UTC
    graded: str = ""     # when the grader last graded it, ISO, UTC

    def csv_row(self):
        return [self.student_id, self.assignment, f"{self.score:g}", f"{self.max_score:g}",
                lateness(self.seconds_late), f"{self.penalty:g}", self.submitted, self.graded,
                "; ".join(str(f) for f in self.flags)]


def lateness(seconds):
    """'1 d 9 h 5 min' for a late submission; '' for one on time."""
    if seconds <= 0:
        return ""
    minutes = int(seconds // 60) or 1
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return " ".join(f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "min")) if n)


def now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def iso(timestamp):
    """A gradebook timestamp (naive, UTC) as ISO text."""
    return timestamp.replace(tzinfo=timezone.utc).isoformat(timespec="seconds") if timestamp else ""


def db_url(course):
    return f"sqlite:///{Path(course) / 'gradebook.db'}"


def load(course):
    """{student: {assignment: {"graded": iso, "flags": [[kind, reason]], "reviews": {grade_id: [manual, auto]}}}}."""
    try:
        return json.loads((Path(course) / LEDGER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save(course, ledger):
    path = Path(course) / LEDGER
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ledger, indent=1, sort_keys=True), encoding="utf-8")


def entry(ledger, student, assignment):
    return ledger.setdefault(student, {}).setdefault(assignment, {"graded": "", "flags": [], "reviews": {}})


def sync_reviews(gb, ledger):
    """Note each new or changed manual score with the automatic score it was given against."""
    for assignment in gb.assignments:
        for submission in assignment.submissions:
            reviews = entry(ledger, submission.student.id, assignment.name)["reviews"]
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.manual_score is None:
                        reviews.pop(grade.name, None)
                    elif grade.name not in reviews or reviews[grade.name][0] != grade.manual_score:
                        reviews[grade.name] = [grade.manual_score, grade.auto_score]


def review_flags(submission, reviews):
    """'manual score kept' for each manual score whose cell now scores otherwise automatically."""
    flags = []
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            manual, auto = reviews.get(grade.name, (None, None))
            if grade.manual_score is not None and grade.manual_score == manual and grade.auto_score != auto:
                flags.append(Flag("manual score kept", f"{grade.name}: auto score changed: {auto or 0:g} -> "
                                  f"{grade.auto_score or 0:g}; the manual score {manual:g} stands until you grade it again"))
    return flags


def class_rows(course, ledger=None):
    """One ``Row`` per student and assignment that has a submission, from the gradebook and the ledger."""
    from nbgrader.api import Gradebook

    course = Path(course)
    ledger = load(course) if ledger is None else ledger
    rows = {}
    if not (course / "gradebook.db").is_file():
        return []
    with Gradebook(db_url(course)) as gb:
        sync_reviews(gb, ledger)
        max_scores = {a.name: a.max_score for a in gb.assignments}
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                student = submission.student.id
                record = entry(ledger, student, assignment.name)
                penalty = submission.late_submission_penalty or 0.0
                row = Row(student, assignment.name, score=max(0.0, submission.score - penalty),
                          max_score=assignment.max_score, penalty=penalty,
                          seconds_late=submission.total_seconds_late, submitted=iso(submission.timestamp),
                          graded=record["graded"])
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.cell_type == "code" or grade.auto_score is not None:
                            row.cells[grade.name] = (grade.score, grade.max_score)
                row.flags = [Flag(*f) for f in record["flags"]] + review_flags(submission, record["reviews"])
                rows[(student, assignment.name)] = row
    # Submissions nbgrader could not grade (corrupt, missing) live only in the ledger: 0 points.
    for student, per_assignment in ledger.items():
        for name, record in per_assignment.items():
            if (student, name) not in rows and record["flags"]:
                rows[(student, name)] = Row(student, name, max_score=max_scores.get(name, 0.0),
                                            flags=[Flag(*f) for f in record["flags"]], graded=record["graded"])
    save(course, ledger)
    return sorted(rows.values(), key=lambda r: (r.student_id, r.assignment))


def write_csv(rows, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for row in sorted(rows, key=lambda r: (r.student_id, r.assignment)):
            writer.writerow(row.csv_row())
    return path
