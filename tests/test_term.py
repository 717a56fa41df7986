"""A term of grading, as an instructor plays it with `python -m grader`, on one short lab.

One module-scoped course goes through the steps in order: release with a due date, grade a
class, grade one resubmission alone, a manual score then a resubmission, a late submission,
a folder in the wrong layout, exports for Canvas and Moodle. Each test checks one step's
outcome; they share the course because grading a notebook takes seconds.
"""

import csv
import hashlib
import os
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.plugins import CsvExportPlugin

from grader.__main__ import main

# grades a term of submissions (make test, not make quick); pytest-timeout's limit is for a hang, and a busy machine grades slowly
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

LAB = "03-byte-order"  # the quickest lab to grade
FULL = 16
DUE = "2026-10-14 23:59"
ON_TIME = "2026-10-14 10:00:00.000000 UTC"
LATE_33H = "2026-10-16 08:59:00.000000 UTC"


def submit(sample_class, folder, student, sample, timestamp=ON_TIME):
    """Hand in ``sample_class``'s ``sample`` of the lab as ``student``'s, in ``folder``."""
    dest = folder / student / LAB
    shutil.copytree(sample_class / sample / LAB, dest)
    (dest / "timestamp.txt").write_text(timestamp)
    return dest


def table(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}


def stock_export(course, path):
    """What stock `nbgrader export` (its CsvExportPlugin) writes: {(student, assignment): score}."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        CsvExportPlugin(to=str(path)).export(gb)
    with open(path, newline="", encoding="utf-8") as f:
        return {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(f)}


def formgrader_view(course):
    """What the formgrader lists: the number of submissions, and each one's autograded and flagged marks."""
    from nbgrader.apps import NbGraderAPI

    from grader.autograde import course_config

    api = NbGraderAPI(config=course_config(course))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        flagged = {s.student.id: all(n.flagged for n in s.notebooks) for s in gb.find_assignment(LAB).submissions}
    return (api.get_assignment(LAB)["num_submissions"],
            {s["student"]: s["autograded"] for s in api.get_submissions(LAB)}, flagged)


def digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def grade(course, folder, *extra):
    return main(["--course", str(course), "autograde", str(folder), "--jobs", "2", *extra])


@pytest.fixture(scope="module")
def term(tmp_path_factory, sample_class):
    """The course after each step: a dict of what the tests look at."""
    root = tmp_path_factory.mktemp("term")
    course = root / "course"
    seen = {}
    assert main(["--course", str(course), "release", LAB, "--due", DUE]) == 0

    # Week 1: the class hands in.
    week1 = root / "week1"
    submit(sample_class, week1, "alice", "solution")
    submit(sample_class, week1, "bob", "wrong")
    submit(sample_class, week1, "carol", "blank")
    assert grade(course, week1) == 0
    seen["class"] = table(course / "grades.csv")

    # Bob's resubmission, graded alone.
    bob = root / "bob-again"
    submit(sample_class, bob, "bob", "solution")
    assert grade(course, bob) == 0
    seen["resubmitted"] = table(course / "grades.csv")

    # The instructor gives carol 1 of a test cell's points in the formgrader (as its API handler does).
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        graded = next(g for n in gb.find_submission(LAB, "carol").notebooks for g in n.grades
                      if g.cell_type == "code" and g.max_score >= 2)
        manual_cell = graded.name
        graded.manual_score = 1.0
        gb.db.commit()
    assert main(["--course", str(course), "export"]) == 0
    seen["manual"] = table(course / "grades.csv")
    seen["manual stock"] = stock_export(course, root / "stock-1.csv")
    seen["manual cell"] = manual_cell

    # Carol resubmits a full solution; dave hands in 33 hours after the due date.
    week2 = root / "week2"
    submit(sample_class, week2, "carol", "solution")
    submit(sample_class, week2, "dave", "solution", timestamp=LATE_33H)
    assert grade(course, week2) == 0
    seen["week2"] = table(course / "grades.csv")
    seen["week2 stock"] = stock_export(course, root / "stock-2.csv")
    seen["report"] = (course / "report.html").read_text(encoding="utf-8")
    seen["formgrader"] = formgrader_view(course)

    # A flat download from an LMS, and an assignment-first folder: refused, nothing changed.
    flat = root / "flat"
    flat.mkdir()
    shutil.copy(sample_class / "solution" / LAB / f"{LAB}.ipynb", flat / f"erin_{LAB}.ipynb")
    first = root / "first"
    shutil.copytree(sample_class / "solution" / LAB, first / LAB / "erin")
    before = digest(course)
    seen["flat rc"] = grade(course, flat)
    seen["first rc"] = grade(course, first)
    seen["unchanged"] = digest(course) == before

    for fmt in ("canvas", "moodle"):
        assert main(["--course", str(course), "export", "--format", fmt]) == 0
        with open(course / f"{fmt}.csv", newline="", encoding="utf-8") as f:
            seen[fmt] = list(csv.reader(f))
    seen["course"] = course
    return seen


def score(rows, student):
    return float(rows[(student, LAB)]["score"])


def test_a_graded_class_has_a_row_per_student(term):
    rows = term["class"]
    assert set(rows) == {("alice", LAB), ("bob", LAB), ("carol", LAB)}
    assert score(rows, "alice") == FULL and score(rows, "carol") == 0 and 0 < score(rows, "bob") < FULL
    assert rows[("carol", LAB)]["flags"].startswith("unchanged: identical to the released notebook")
    assert all(r["late"] == "" and r["submitted"].startswith("2026-10-14T10:00") for r in rows.values())


def test_a_resubmission_graded_alone_replaces_its_row_and_keeps_the_others(term):
    before, after = term["class"], term["resubmitted"]
    assert set(after) == set(before)
    assert score(after, "bob") == FULL
    assert after[("bob", LAB)]["graded"] >= before[("bob", LAB)]["graded"]
    for student in ("alice", "carol"):
        assert after[(student, LAB)] == before[(student, LAB)]


def test_a_manual_score_reaches_grades_csv_as_nbgrader_export_computes_it(term):
    rows, stock = term["manual"], term["manual stock"]
    assert score(rows, "carol") == 1
    assert {key: float(r["score"]) for key, r in rows.items()} == stock


def test_a_resubmission_keeps_the_manual_score_and_flags_the_row(term):
    rows, stock = term["week2"], term["week2 stock"]
    flags = rows[("carol", LAB)]["flags"]
    assert f"manual score kept: {term['manual cell']}: auto score changed: 0 -> " in flags
    assert score(rows, "carol") == FULL - stock_points(term) + 1  # the instructor's 1 point stands
    assert {key: float(r["score"]) for key, r in rows.items()} == stock
    assert "manual score kept" in term["report"]


def stock_points(term):
    with Gradebook(f"sqlite:///{term['course'] / 'gradebook.db'}") as gb:
        return next(g.max_score for n in gb.find_submission(LAB, "carol").notebooks for g in n.grades
                    if g.name == term["manual cell"])


def test_the_formgrader_lists_every_graded_submission_with_its_flag(term):
    count, autograded, flagged = term["formgrader"]
    assert count == 4 and autograded == dict.fromkeys(("alice", "bob", "carol", "dave"), True)
    assert flagged == {"alice": False, "bob": False, "carol": True, "dave": False}


def test_a_late_submission_loses_its_penalty_and_says_how_late(term):
    dave = term["week2"][("dave", LAB)]
    assert dave["late"] == "1 d 9 h"
    assert float(dave["late_penalty"]) == pytest.approx(0.2 * FULL)  # 10% per started day
    assert float(dave["score"]) == pytest.approx(0.8 * FULL)
    assert "late 1 d 9 h" in term["report"]


def test_the_report_has_a_student_table_and_named_charts(term):
    page = term["report"]
    assert "<h2>Students (4)</h2>" in page
    assert f"<img alt='{LAB} test_" in page


def test_a_folder_in_another_layout_is_refused_and_changes_nothing(term, capsys):
    assert term["flat rc"] == 2 and term["first rc"] == 2
    assert term["unchanged"]


def test_lms_exports_have_one_column_per_assignment(term):
    canvas = term["canvas"]
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert LAB in canvas[0][5:]
    column = canvas[0].index(LAB)
    assert canvas[1][0].strip() == "Points Possible" and float(canvas[1][column]) == FULL
    by_login = {r[3]: r for r in canvas[2:]}
    assert float(by_login["alice"][column]) == FULL and float(by_login["dave"][column]) == pytest.approx(0.8 * FULL)
    moodle = term["moodle"]
    assert moodle[0][:2] == ["Username", "Email address"]
    column = moodle[0].index(LAB)
    assert {r[0]: float(r[column]) for r in moodle[1:]}["bob"] == FULL


def test_feedback_of_the_whole_class_is_there(term):
    for student in ("alice", "bob", "carol", "dave"):
        page = next((term["course"] / "feedback" / student / LAB).glob("*.html")).read_text(encoding="utf-8")
        assert LAB in page
    carol = nbformat.read(term["course"] / "autograded" / "carol" / LAB / f"{LAB}.ipynb", as_version=4)
    assert not any(o.get("output_type") == "error" for c in carol.cells for o in c.get("outputs", []))


# ---------------------------------------------------------------- layouts, without grading

def test_locate_reads_each_layout_it_is_asked_for(tmp_path):
    from grader.intake import locate

    names = ["03-byte-order", "04-tcp"]
    (tmp_path / "std" / "ann" / "04-tcp").mkdir(parents=True)
    assert [(s, a) for s, a, _ in locate(tmp_path / "std", names)] == [("ann", "04-tcp")]
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "ann_04-tcp.ipynb").write_text("{}")
    (tmp_path / "flat" / "bob_1234_5678_03-byte-order-1.ipynb").write_text("{}")  # an LMS's bulk download
    (tmp_path / "flat" / "cid").mkdir()
    (tmp_path / "flat" / "cid" / "04-tcp.ipynb").write_text("{}")
    assert sorted((s, a) for s, a, _ in locate(tmp_path / "flat", names, "flat")) == [
        ("ann", "04-tcp"), ("bob", "03-byte-order"), ("cid", "04-tcp")]
    (tmp_path / "first" / "04-tcp" / "ann").mkdir(parents=True)
    assert [(s, a) for s, a, _ in locate(tmp_path / "first", names, "assignment-first")] == [("ann", "04-tcp")]


@pytest.mark.parametrize("layout, advice", [("flat", "--layout flat"), ("first", "--layout assignment-first"),
                                            ("empty", "Found: nothing")])
def test_a_folder_in_another_layout_is_explained(tmp_path, layout, advice):
    from grader.intake import LayoutError, locate

    folder = tmp_path / "subs"
    folder.mkdir()
    if layout == "flat":
        (folder / "ann_04-tcp.ipynb").write_text("{}")
    elif layout == "first":
        (folder / "04-tcp" / "ann").mkdir(parents=True)
        (folder / "bob" / "04-tcp").mkdir(parents=True)  # one right folder does not make 04-tcp a student
    with pytest.raises(LayoutError) as error:
        locate(folder, ["04-tcp"])
    message = str(error.value)
    assert "<student>/<assignment>/<assignment>.ipynb" in message and advice in message
    assert "Nothing was graded or changed." in message


def test_a_flat_download_is_taken_in_as_nbgrader_lays_it_out(tmp_path):
    from grader.intake import take_in

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "release" / "a1").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "release" / "a1" / "a1.ipynb")
    (tmp_path / "download").mkdir()
    nb.cells[0].source = "x = 2"
    nbformat.write(nb, tmp_path / "download" / "ann_4411_9120_a1-1.ipynb")  # as Canvas names a bulk download
    intakes = take_in(tmp_path / "download", tmp_path / "release", tmp_path / "submitted", ["a1"], "flat")
    assert [(i.student, i.assignment, i.gradable) for i in intakes] == [("ann", "a1", True)]
    assert intakes[0].flags == []  # the LMS renamed it, not the student
    older = tmp_path / "download" / "ann_4411_9000_a1.ipynb"
    nb.cells[0].source = "x = 0"
    nbformat.write(nb, older)
    os.utime(older, (1, 1))
    intakes = take_in(tmp_path / "download", tmp_path / "release", tmp_path / "submitted", ["a1"], "flat")
    assert [str(f) for f in intakes[0].flags] == ["several files: graded the newest, ann_4411_9120_a1-1.ipynb; "
                                                  "ignored ann_4411_9000_a1.ipynb"]
    assert nbformat.read(tmp_path / "submitted" / "ann" / "a1" / "a1.ipynb", as_version=4).cells[0].source == "x = 2"


def test_the_commands_refuse_unknown_names_and_bad_dates_plainly(tmp_path, capsys):
    course = ["--course", str(tmp_path / "course")]
    assert main([*course, "release", "04-tpc"]) == 2
    assert "no such assignment: 04-tpc (assignments: 01-client-server-ftp" in capsys.readouterr().err
    assert main([*course, "due", "nope", "2026-10-14"]) == 2
    assert main([*course, "export"]) == 2
    assert "has no gradebook yet" in capsys.readouterr().err
    assert main([*course, "export", "--format", "canvas", "--ids", "04-tcp"]) == 2
    assert "--ids wants NAME=CANVAS_ID" in capsys.readouterr().err
    assert not (tmp_path / "course").exists()
