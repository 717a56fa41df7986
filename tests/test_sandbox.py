"""A hostile class graded through the real grader in the real sandbox: each attack earns nothing and leaves no trace.

One lab (03, the quickest to grade), one submission per attack, each the blank notebook plus
one cell that does what a student trying to cheat would do; and the full solution, which
carries a private marker that must never reach another student's feedback.
"""

import hashlib
import sqlite3
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from grader.autograde import grade_class
from grader.paths import REPO
from grader.sandbox import SandboxUnavailable, probe

# grades a hostile class in the sandbox (make test, not make quick); pytest-timeout's limit is for a hang, and a busy machine grades slowly
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

LAB = "03-byte-order"
SECRET = "SECRET-" + hashlib.sha1(b"the solution's own text").hexdigest()[:16]
MARKER = "sandbox-escapee-" + hashlib.sha1(b"a process that must not outlive grading").hexdigest()[:12]

ATTACKS = {
    # Make every check a no-op on disk (netkit is an editable install: its files are the repository's),
    # then kill the kernel so that the restarted one imports the rewritten checks.
    "rewriter": '''import os, pathlib, signal, sys, time, netkit
rewritten = 0
for path in pathlib.Path(netkit.__file__).resolve().parent.rglob("*.py"):
    try:
        path.write_text("def __getattr__(name):\\n    return lambda *args, **kwargs: None\\n")
        rewritten += 1
    except OSError:
        pass
print("rewritten:", rewritten)
sys.stdout.flush()
time.sleep(0.5)  # let the output reach the grader
os.kill(os.getpid(), signal.SIGKILL)
''',
    # Find the gradebook (above the working folder, next to the repository, or where the course is)
    # and give everyone full marks.
    "gradebook": '''import pathlib, sqlite3, netkit
candidates = set([pathlib.Path(netkit.__file__).resolve().parent.parent / "course" / "gradebook.db",
                  pathlib.Path({course!r}) / "gradebook.db"])
for parent in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents]:
    candidates.add(parent / "gradebook.db")
    candidates.update(parent.glob("*/gradebook.db"))
changed = []
for db in sorted(candidates):
    if db.is_file():
        try:
            with sqlite3.connect(db) as con:
                con.execute("UPDATE grade SET manual_score = 99")
                con.execute("UPDATE comment SET manual_comment = 'regraded'")
            changed.append(str(db))
        except Exception as exc:
            changed.append(f"{{db}}: {{exc}}")
print("gradebooks changed:", changed)
''',
    # Read every notebook within reach and print a classmate's private text.
    "reader": '''import pathlib
needle = "SECR" + "ET-"
roots = [pathlib.Path(p) for p in ({submissions!r}, {course!r}, {repo!r} + "/course", {repo!r} + "/grader", "/home", "/tmp")]
read = 0
for root in [*roots, *pathlib.Path.cwd().parents[:-1]]:
    try:
        for path in root.rglob("*.ipynb"):
            try:
                text = path.read_text()
            except OSError:
                continue
            read += 1
            if needle in text:
                print(path, text[text.index(needle):][:40])
    except OSError:
        pass
print("notebooks read:", read)
''',
    # Leave processes behind: a daemon in its own session that keeps writing, and a sleeper.
    "forker": '''import os, subprocess, sys
loop = "import pathlib, time\\nwhile True:\\n    for p in ('/tmp/alive', {escape!r}):\\n        try:\\n            pathlib.Path(p).write_text(str(time.time()))\\n        except OSError:\\n            pass\\n    time.sleep(0.1)"
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", loop, {marker!r}])
    os._exit(0)
os.waitpid(pid, 0)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)", {marker!r}], start_new_session=True)
print("left behind")
''',
    # Keep every check's identity and replace what it runs: the function inside the wrapper
    # (a closure cell), and that function's code and defaults.
    "identity": '''import importlib
def passes(*args, **kwargs):
    return None
for module in ("netkit.checks.byteorder", "netkit.hidden.byteorder"):
    try:
        checks = importlib.import_module(module)
    except ImportError:
        continue
    for name in dir(checks):
        check = getattr(checks, name)
        if name.startswith("check_") and hasattr(check, "__wrapped__"):
            check.__closure__[0].cell_contents = passes
            try:
                check.__wrapped__.__code__ = passes.__code__
                check.__wrapped__.__defaults__ = None
            except ValueError:  # a function with free variables takes only code with as many
                pass
''',
    # An IPython hook that rewrites every later cell, test cells included, into `pass`.
    "hook": '''def rewrite(lines):
    return ["pass\\n"]
get_ipython().input_transformers_cleanup.append(rewrite)
''',
}
TAMPERING = {"identity", "hook"}

def netkit_hashes():
    return {str(p.relative_to(REPO)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((REPO / "netkit").rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def git_status():
    return subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout


def living(marker):
    """Pids whose command line carries ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def write_class(sample_class, into, attacks, **fields):
    """A class of lab 03 in nbgrader's layout, from ``sample_class``: the full solution (carrying ``SECRET``)
    and, per attack, the blank notebook plus one cell, the attack's source with ``fields`` filled in."""
    solution = nbformat.read(sample_class / "solution" / LAB / f"{LAB}.ipynb", as_version=4)
    for cell in solution.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source += f"\n# {SECRET}\n"
            break
    (into / "solution" / LAB).mkdir(parents=True)
    nbformat.write(solution, into / "solution" / LAB / f"{LAB}.ipynb")
    blank = nbformat.read(sample_class / "blank" / LAB / f"{LAB}.ipynb", as_version=4)
    first_code = next(i for i, c in enumerate(blank.cells) if c.cell_type == "code")
    for student, attack in attacks.items():
        nb = nbformat.from_dict(blank)
        nb.cells.insert(first_code + 1, nbformat.v4.new_code_cell(attack.format(**fields)))
        (into / student / LAB).mkdir(parents=True)
        nbformat.write(nb, into / student / LAB / f"{LAB}.ipynb")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, sample_class):
    try:
        probe()
    except SandboxUnavailable as exc:
        pytest.fail(str(exc))
    root = tmp_path_factory.mktemp("hostile")
    submissions, course, escape = root / "submissions", root / "course", root / "escaped.txt"
    write_class(sample_class, submissions, ATTACKS, course=str(course), submissions=str(submissions), repo=str(REPO),
                escape=str(escape), marker=MARKER)
    before = netkit_hashes(), git_status()
    rows = grade_class(submissions, jobs=2, course=course, show_progress=False)
    return {"rows": {r.student_id: r for r in rows}, "course": course, "escape": escape, "before": before}


def autograded_text(course, student):
    nb = nbformat.read(course / "autograded" / student / LAB / f"{LAB}.ipynb", as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_the_repository_is_byte_for_byte_unchanged(hostile):
    hashes, status = hostile["before"]
    assert netkit_hashes() == hashes
    assert git_status() == status
    assert "rewritten: 0" in autograded_text(hostile["course"], "rewriter")


def test_the_gradebook_holds_only_what_the_grader_wrote(hostile):
    rows, course = hostile["rows"], hostile["course"]
    assert "gradebooks changed: []" in autograded_text(course, "gradebook")
    with sqlite3.connect(course / "gradebook.db") as con:
        assert con.execute("SELECT count(*) FROM grade WHERE manual_score IS NOT NULL").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM comment WHERE manual_comment IS NOT NULL").fetchone()[0] == 0
        scores = dict(con.execute(
            "SELECT student.id, sum(grade.auto_score) FROM grade JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
            "JOIN student ON submitted_assignment.student_id = student.id GROUP BY student.id"))
    assert scores == {student: row.score for student, row in rows.items()}


def test_no_other_students_text_reaches_any_feedback(hostile):
    course = hostile["course"]
    assert "notebooks read:" in autograded_text(course, "reader")
    for page in (course / "feedback").rglob("*.html"):
        if page.relative_to(course / "feedback").parts[0] != "solution":
            assert SECRET not in page.read_text(encoding="utf-8"), page


def test_no_process_started_by_a_submission_outlives_grading(hostile):
    assert "left behind" in autograded_text(hostile["course"], "forker")
    deadline = time.monotonic() + 10  # the sandbox's PID namespace is torn down as its kernel ends
    while living(MARKER) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert living(MARKER) == []
    assert not hostile["escape"].exists()


def test_attacks_earn_nothing_and_tampering_is_flagged(hostile):
    rows = hostile["rows"]
    for student in ATTACKS:
        assert rows[student].score == 0, (student, rows[student].cells)
    for student in TAMPERING:
        reasons = [f.reason for f in rows[student].flags if f.kind == "tampering"]
        assert any("the grader undid" in r for r in reasons), (student, rows[student].flags)
    assert any(f.kind == "kernel restarted" for f in rows["rewriter"].flags)


def test_the_full_solution_still_gets_full_marks(hostile):
    row = hostile["rows"]["solution"]
    assert row.score == row.max_score > 0
    assert row.flags == []
