"""The student edition (``python -m grader publish``): nothing a student must not see, and it grades.

One publish into a temporary folder (the real command) serves every test here:

* the edition holds exactly the files this test lists, and its manifest says so;
* no solution line, no hidden test line, no line of the hidden checks (netkit/hidden) or of
  tests/solutions appears as a line of any of its files (grep, line by line, stripped;
  lines that the public parts of the sources also hold are not secrets), and no tests/,
  gradebook or sample class;
* publishing again writes nothing when nothing changed, removes only what its manifest
  listed, and leaves ``.git`` and the student's own files alone; it refuses a folder inside
  the repository and a non-empty folder that is no edition;
* a notebook of the edition, solved by pasting the source notebook's solution regions into
  its stubs, gets full marks from ``python -m grader autograde``; left blank it gets none,
  and its feedback shows the failing checks' messages but no hidden test code.
"""

import csv
import html
import json
import re
import subprocess
import sys

import nbformat
import pytest

from grader.feedback_filter import NOTE
from grader.paths import NOTEBOOKS, REPO, assignments
from grader.publish import IMPORTS_HIDDEN, MANIFEST, code_of, write_edition

pytestmark = pytest.mark.slow  # publishes the edition and grades it (make test, not make quick)

EXPECTED = {
    ".edition-manifest", ".gitignore", "README.md", "START.md", "environment.yml", "postBuild", "pyproject.toml",
    "labs/01-client-server-ftp/01-client-server-ftp.ipynb",
    "labs/02-tcp-udp/02-tcp-udp.ipynb",
    "labs/03-byte-order/03-byte-order.ipynb",
    "labs/04-tcp/04-tcp.ipynb",
    "labs/05-udp-ntp/05-udp-ntp.ipynb",
    "labs/06-select/06-select.ipynb",
    "netkit/policy.py",
    "netkit/__init__.py", "netkit/byteorder.py", "netkit/errors.py", "netkit/framing.py", "netkit/ftp.py",
    "netkit/ftpproto.py", "netkit/http.py", "netkit/leaks.py", "netkit/ports.py", "netkit/proxies.py",
    "netkit/runner.py", "netkit/servers.py", "netkit/sntp.py", "netkit/widgets.py", "netkit/wire.py",
    "netkit/checks/__init__.py", "netkit/checks/_base.py", "netkit/checks/_cases.py", "netkit/checks/_harness.py",
    "netkit/checks/byteorder.py", "netkit/checks/ftp.py", "netkit/checks/ntp.py", "netkit/checks/select.py",
    "netkit/checks/tcp.py", "netkit/checks/tcpudp.py",
}
GRADED = ["03-byte-order", "04-tcp"]  # the labs solved and graded end to end (each takes a minute or so)
MIN_SECRET = 15  # shorter solution lines (`pass`, `return data`, `)`) are common Python, not a leak
STUB = re.compile(r"^([ \t]*)# YOUR CODE HERE\n\1raise NotImplementedError\(\)$", re.M)


def publish_command(dest):
    return subprocess.run([sys.executable, "-m", "grader", "publish", str(dest)],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    dest = tmp_path_factory.mktemp("edition")
    done = publish_command(dest)
    assert done.returncode == 0, f"publish failed:\n{done.stdout}\n{done.stderr}"
    return dest


def files_of(folder):
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(folder).parts}


def text_of(path):
    """A file's text as a student could read it; a notebook's cell sources and outputs decoded too."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        parts = ["".join(c["source"]) for c in nb["cells"]]
        parts += [json.dumps(o, ensure_ascii=False) for c in nb["cells"] for o in c.get("outputs", [])]
        text += "\n" + "\n".join(parts)
    return text


# ---------------------------------------------------------------------------------------
# What the instructor's sources hold and the edition must not


def regions(source, begin, end):
    """The lines inside each ``### BEGIN ...``/``### END ...`` region of ``source``, and the lines outside."""
    inside, outside, depth = [], [], 0
    for line in source.splitlines():
        if line.strip() == f"### {begin}":
            depth += 1
        elif line.strip() == f"### {end}":
            depth -= 1
        elif depth:
            inside.append(line)
        else:
            outside.append(line)
    return inside, outside


def source_lines():
    """(solution lines, hidden test lines, public lines) of all source notebooks, stripped."""
    solutions, hidden, public = set(), set(), set()
    for name in assignments():
        for cell in nbformat.read(NOTEBOOKS / name / f"{name}.ipynb", as_version=4).cells:
            sol, rest = regions(cell.source, "BEGIN SOLUTION", "END SOLUTION")
            hid, rest = regions("\n".join(rest), "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
            solutions |= {line.strip() for line in sol}
            hidden |= {line.strip() for line in hid}
            public |= {line.strip() for line in rest}
    return solutions, hidden, public


def public_netkit_lines():
    return {line.strip() for p in (REPO / "netkit").rglob("*.py") if "hidden" not in p.relative_to(REPO).parts
            for line in p.read_text(encoding="utf-8").splitlines()}


def secrets():
    """{line: where it comes from} of every line the edition must not contain."""
    solutions, hidden, public = source_lines()
    public |= public_netkit_lines()
    found = {line: "a solution region" for line in solutions if len(line) >= MIN_SECRET and line not in public}
    found.update({line: "a hidden test region" for line in hidden if line and line not in public})
    for folder, what in ((REPO / "netkit" / "hidden", "netkit/hidden"), (REPO / "tests" / "solutions", "tests/solutions")):
        for path in folder.rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if len(line.strip()) >= MIN_SECRET and line.strip() not in public and not line.strip().startswith("#"):
                    found.setdefault(line.strip(), f"{what}/{path.relative_to(folder)}")
    return found


def test_the_edition_holds_exactly_the_expected_files_and_lists_them(edition):
    assert files_of(edition) == EXPECTED
    listed = {line for line in (edition / MANIFEST).read_text().splitlines() if line and not line.startswith("#")}
    assert listed == EXPECTED - {MANIFEST}
    assert (edition / "postBuild").stat().st_mode & 0o111, "Binder runs ./postBuild: it must be executable"


def test_the_edition_shows_no_solution_no_hidden_test_and_no_instructor_file(edition):
    found = secrets()
    assert len([w for w in found.values() if w == "a solution region"]) > 100, "the solution lines were not found"
    assert any(w == "a hidden test region" for w in found.values())
    leaks = []
    for rel in sorted(files_of(edition)):
        text = text_of(edition / rel)
        lines = {line.strip() for line in text.splitlines()}
        leaks += [f"{rel}: {line!r} (from {where})" for line, where in found.items() if line in lines]
        if IMPORTS_HIDDEN.search(code_of(rel, (edition / rel).read_bytes())):
            leaks.append(f"{rel}: imports netkit.hidden")
        for word in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "gradebook.db", "grader samples", "tests/solutions"):
            if word in text:
                leaks.append(f"{rel}: mentions {word!r}")
        leaks += [f"{rel}: defines the hidden check {m}" for m in re.findall(r"def (check_\w*_hidden)\b", text)]
    assert not leaks, "the edition shows what only the instructor may see:\n" + "\n".join(leaks[:40])
    assert not any(rel.startswith(("tests/", "grader/", "notebooks/", "netkit/hidden/", "course/"))
                   or rel.endswith(".db") for rel in files_of(edition))


def test_the_editions_notebooks_are_the_student_versions(edition):
    for name in assignments():
        nb = nbformat.read(edition / "labs" / name / f"{name}.ipynb", as_version=4)
        stubs = sum(len(STUB.findall(c.source)) for c in nb.cells)
        assert stubs >= 5, f"{name} has {stubs} exercises to write"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    start = (edition / "START.md").read_text()
    assert [m for m in re.findall(r"\]\((labs/[^)]+)\)", start)] == [
        f"labs/{n}/{n}.ipynb" for n in assignments()]


# ---------------------------------------------------------------------------------------
# Publishing again, and refusing


def test_publishing_again_changes_only_what_changed(edition, tmp_path):
    files = {rel: (edition / rel).read_bytes() for rel in EXPECTED - {MANIFEST}}
    branch = tmp_path / "branch"
    subprocess.run(["git", "init", "-q", str(branch)], check=True)
    write_edition(branch, files)
    git = ["git", "-C", str(branch), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "edition"], check=True)
    head = (branch / ".git" / "HEAD").read_bytes()

    assert write_edition(branch, files) == (0, 0, len(files))
    assert subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout == ""

    # A later edition drops a lab file and changes the README; the student added notes.
    (branch / "notes.txt").write_text("mine")
    changed = dict(files, **{"README.md": b"new\n"})
    del changed["netkit/wire.py"]
    assert write_edition(branch, changed) == (1, 1, len(files) - 2)
    assert not (branch / "netkit" / "wire.py").exists() and (branch / "notes.txt").read_text() == "mine"
    assert (branch / "README.md").read_bytes() == b"new\n"
    assert (branch / ".git" / "HEAD").read_bytes() == head
    status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout.split("\n")
    assert sorted(filter(None, status)) == [" D netkit/wire.py", " M .edition-manifest", " M README.md",
                                            "?? notes.txt"]


def test_publish_refuses_a_folder_inside_the_repository_or_a_foreign_one(tmp_path):
    inside = publish_command(REPO / "build" / "edition")
    assert inside.returncode != 0 and "inside the course repository" in inside.stderr
    assert "Traceback" not in inside.stderr and not (REPO / "build" / "edition").exists()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("mine")
    refused = publish_command(foreign)
    assert refused.returncode != 0 and "not a previous student edition" in refused.stderr
    assert "Traceback" not in refused.stderr and files_of(foreign) == {"thesis.tex"}


# ---------------------------------------------------------------------------------------
# A student's notebook from the edition, graded with the instructor's install


def solution_regions(source):
    """The text of each solution region of a source cell, in order."""
    return re.findall(r"^[ \t]*### BEGIN SOLUTION\n(.*?)\n?^[ \t]*### END SOLUTION$", source, re.M | re.S)


def solve(nb, name):
    """``nb`` (from the edition) with each stub replaced by the source notebook's solution region."""
    source = {c.metadata["nbgrader"]["grade_id"]: c.source
              for c in nbformat.read(NOTEBOOKS / name / f"{name}.ipynb", as_version=4).cells
              if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            bodies = iter(solution_regions(source[grade_id]))
            cell.source, pasted = STUB.subn(lambda m: next(bodies), cell.source)
            assert pasted and next(bodies, None) is None, f"{name}/{grade_id}: stubs and solutions do not pair up"
    return nb


@pytest.fixture(scope="module")
def graded(edition, tmp_path_factory):
    root = tmp_path_factory.mktemp("graded")
    for name in GRADED:
        nb = nbformat.read(edition / "labs" / name / f"{name}.ipynb", as_version=4)
        for student, version in (("blank", nb), ("solved", solve(nbformat.from_dict(json.loads(json.dumps(nb))), name))):
            folder = root / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(version, folder / f"{name}.ipynb")
    done = subprocess.run([sys.executable, "-m", "grader", "--course", str(root / "course"), "autograde",
                           str(root / "submitted"), "--jobs", "2"], capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, f"autograde failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    with open(root / "course" / "grades.csv", newline="") as f:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}
    return root / "course", rows


@pytest.mark.timeout(1800)
def test_a_solved_edition_notebook_gets_full_marks_and_a_blank_one_none(graded):
    _, rows = graded
    for name in GRADED:
        solved, blank = rows[("solved", name)], rows[("blank", name)]
        assert float(solved["max_score"]) > 0 and solved["score"] == solved["max_score"], solved
        assert float(blank["score"]) == 0, blank
        assert not solved["flags"], solved
        # The edition's notebook is the release itself: handed in untouched, it is flagged so.
        assert blank["flags"].startswith("unchanged"), blank


@pytest.mark.timeout(1800)
def test_feedback_shows_the_failing_messages_but_no_hidden_test_code(graded):
    course, _ = graded
    _, hidden, public = source_lines()
    hidden = {line for line in hidden if line and line not in public}
    for name in GRADED:
        page = (course / "feedback" / "blank" / name / f"{name}.html").read_text(encoding="utf-8")
        text = html.unescape(re.sub(r"<[^>]+>", "", page))
        shown = [line for line in hidden if line in text]
        assert not shown, f"{name}'s feedback shows hidden test code: {shown}"
        assert "BEGIN HIDDEN TESTS" not in text and NOTE in text
        nb = nbformat.read(course / "autograded" / "blank" / name / f"{name}.ipynb", as_version=4)
        messages = [o["evalue"].splitlines()[0] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
                    for o in c.get("outputs", []) if o.get("output_type") == "error" and o.get("evalue")]
        assert messages, f"{name}: the blank submission failed no test cell"
        missing = [m for m in messages if m.strip() not in text]
        assert not missing, f"{name}'s feedback lacks the failing checks' messages: {missing[:5]}"
