"""Grades out of the gradebook: grades.csv, and files that Canvas and Moodle import.

``export(course, "csv"|"canvas"|"moodle")`` regenerates from the gradebook (manual scores
included) and writes

- ``csv``: ``course/grades.csv``, one row per student and assignment with lateness and flags
  (``grader.records``); ``nbgrader export`` writes the same file (``GradesExport`` is its plugin);
- ``canvas``: ``course/canvas.csv`` in Canvas's gradebook import format: ``Student, ID,
  SIS User ID, SIS Login ID, Section``, then one column per assignment, ``<name> (<canvas id>)``
  when its Canvas id is given (``--ids 04-tcp=1234``) so the scores go to that assignment, else
  ``<name>``, which Canvas creates as a new assignment; a ``Points Possible`` row first. The
  nbgrader student id goes in ``SIS Login ID``, which Canvas matches students by;
- ``moodle``: ``course/moodle.csv`` for Moodle's "Import grades from CSV": ``Username``,
  ``Email address``, then one column per assignment, each mapped to a grade item on import.

One column per assignment, one row per student in the gradebook. A cell is blank where the
student has no submission, so an import leaves that grade alone.
"""

import csv
from pathlib import Path

from nbgrader.plugins import ExportPlugin

from . import records

FORMATS = ("csv", "canvas", "moodle")


def scores_by_student(course):
    """({student: {assignment: score}}, [(assignment, max score)], [students], rows)."""
    from nbgrader.api import Gradebook

    rows = records.class_rows(course)
    with Gradebook(records.db_url(course)) as gb:
        assignments = sorted((a.name, a.max_score) for a in gb.assignments)
        students = sorted(({"id": s.id, "first_name": s.first_name or "", "last_name": s.last_name or "",
                            "email": s.email or ""} for s in gb.students), key=lambda s: s["id"])
    scores = {}
    for row in rows:
        scores.setdefault(row.student_id, {})[row.assignment] = row.score
    known = {s["id"] for s in students}
    students += [{"id": s, "first_name": "", "last_name": "", "email": ""} for s in sorted(scores) if s not in known]
    return scores, assignments, students, rows


def display_name(student):
    if student["last_name"] or student["first_name"]:
        return ", ".join(n for n in (student["last_name"], student["first_name"]) if n)
    return student["id"]


def canvas_table(scores, assignments, students, ids):
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    header += [f"{name} ({ids[name]})" if name in ids else name for name, _ in assignments]
    table = [header, ["    Points Possible", "", "", "", ""] + [f"{top:g}" for _, top in assignments]]
    for student in students:
        mine = scores.get(student["id"], {})
        table.append([display_name(student), "", "", student["id"], ""] +
                     [f"{mine[name]:g}" if name in mine else "" for name, _ in assignments])
    return table


def moodle_table(scores, assignments, students):
    table = [["Username", "Email address"] + [name for name, _ in assignments]]
    for student in students:
        mine = scores.get(student["id"], {})
        table.append([student["id"], student["email"]] +
                     [f"{mine[name]:g}" if name in mine else "" for name, _ in assignments])
    return table


def export(course, fmt="csv", dest=None, ids=None):
    """Write the grades of the whole class in ``fmt``; return the file's path."""
    course = Path(course)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if not (course / "gradebook.db").is_file():
        raise ValueError(f"{course} has no gradebook yet: grade some submissions first (python -m grader autograde DIR)")
    dest = Path(dest) if dest else course / ("grades.csv" if fmt == "csv" else f"{fmt}.csv")
    if fmt == "csv":
        return records.write_csv(records.class_rows(course), dest)
    scores, assignments, students, _ = scores_by_student(course)
    unknown = sorted(set(ids or {}) - {name for name, _ in assignments})
    if unknown:
        raise ValueError(f"--ids names assignments the gradebook does not have: {', '.join(unknown)}")
    table = canvas_table(scores, assignments, students, ids or {}) if fmt == "canvas" else moodle_table(scores, assignments, students)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(table)
    return dest


class GradesExport(ExportPlugin):
    """``nbgrader export`` writes the grader's grades.csv (to ``course/`` unless ``--to`` says otherwise)."""

    def export(self, gradebook):
        course = Path(gradebook.db.get_bind().url.database).parent  # the folder of gradebook.db
        path = export(course, "csv", self.to or None)
        self.log.info("Exported the grades of the whole class to %s", path)
