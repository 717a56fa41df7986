"""The whole grading run, end to end through nbgrader, on the sample class (built by the session's fixture)."""

import csv
import shutil

import pytest

from grader.autograde import grade_class
from grader.records import COLUMNS
from grader.report import write_report
from grader.samples import compare, expected

# grades the sample class (make test, not make quick); pytest-timeout's limit is for a hang, and a busy machine grades slowly
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sample_class):
    course = tmp_path_factory.mktemp("course")
    rows = grade_class(sample_class, jobs=2, course=course, show_progress=False)
    return course, rows


def test_every_sample_scores_as_expected(graded):
    _, rows = graded
    assert compare(rows, expected()) == []


def test_every_submission_has_a_row_and_feedback(graded, sample_class):
    course, rows = graded
    with open(course / "grades.csv", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    expected_pairs = {(s, a) for s, per in expected().items() for a in per}
    assert expected_pairs == {(p.parent.name, p.name) for p in sample_class.glob("*/*")}
    assert {(r["student_id"], r["assignment"]) for r in table} == expected_pairs
    assert list(table[0]) == COLUMNS
    for student, assignment in expected_pairs:
        assert list((course / "feedback" / student / assignment).glob("*.html")), f"no feedback for {student}/{assignment}"


def test_report_shows_distributions_and_flagged_submissions(graded, tmp_path):
    _, rows = graded
    page = write_report(rows, tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("<img") >= 10
    for student in ("hang", "killer", "tamper", "corrupt", "messy"):
        assert f"<td>{student}</td>" in page
    assert "Hardest exercises" in page


def test_grading_again_gives_the_same_result_and_never_touches_the_submissions(graded, sample_class, tmp_path):
    course, rows = graded
    subset = tmp_path / "subs"
    for student in ("tamper", "messy"):
        shutil.copytree(sample_class / student, subset / student)
    before = {p: p.read_bytes() for p in subset.rglob("*") if p.is_file()}
    again = grade_class(subset, jobs=1, course=course, show_progress=False)
    assert {p: p.read_bytes() for p in subset.rglob("*") if p.is_file()} == before
    first = {(r.student_id, r.assignment): (r.score, [str(f) for f in r.flags]) for r in rows}
    for row in again:
        assert (row.score, [str(f) for f in row.flags]) == first[(row.student_id, row.assignment)]


def test_a_flag_says_what_happened_to_the_points(graded):
    """The killer keeps full marks (its os._exit is in a scratch cell), so its flag must not say it lost points."""
    _, rows = graded
    killer = next(r for r in rows if r.student_id == "killer")
    reason = next(f.reason for f in killer.flags if f.kind == "kernel restarted")
    assert killer.score == killer.max_score
    assert "The kernel died while running this cell" in reason and "a fresh kernel graded the cells after it" in reason
    assert "points" not in reason
