"""A whole class in miniature, made from the source notebooks on demand, and what each should score.

The class is generated, never committed: ``python -m grader samples DEST`` writes
``DEST/<student>/<assignment>/...``, and ``python -m grader demo`` builds it afresh in
``course/demo/samples/``, grades it and compares with ``expected()``. Each student is one
kind of submission an instructor meets:

==============  ==================================================================
solution        the full solution of every notebook
blank           the released notebooks, untouched (flagged unchanged)
wrong           a classic mistake in one exercise of every notebook
stderr          the full solution, logging and printing to stderr as it runs
hang            every function blocks in accept() forever, and each answer cell
                calls one at the end, as students do to try their code (04 and 06)
killer          a scratch cell that calls os._exit (05)
interrupt       a scratch cell that swallows KeyboardInterrupt in an endless loop (04)
tamper          blank answers, with netkit's checks replaced by a mock (03)
messy           renamed notebook, a test cell deleted, one edited, another kernel,
                an extra netkit.py (03), and a folder for 02 with a note but no notebook
corrupt         a notebook that is not valid JSON (01)
==============  ==================================================================

``expected()`` declares the score of each from the source notebooks' own points (which test
cells a mistake loses: ``WRONG``, and ``ALL`` for a sample that earns nothing), never read
back from a grading run.
"""

import ast
import copy
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import cells
from .paths import COURSE, GRADER, NOTEBOOKS, REPO, assignments

# assignment -> (solution cell grade_id, the wrong answer, the test cells it loses)
WRONG = {
    "01-client-server-ftp": ("read_reply", '''def read_reply(reader):
    """One readline is one reply (wrong: multi-line replies have several lines)."""
    line = reader.readline().decode()
    return int(line[:3]), line[4:].strip()
''', ["test_read_reply", "test_read_reply_hidden",  # and a login answered by a multi-line 230:
      "test_login_hidden"]),
    "03-byte-order": ("ip_to_int", '''def ip_to_int(text):
    """Host (little-endian) byte order, and no checks of the input."""
    a, b, c, d = (int(part) for part in text.split("."))
    return a | b << 8 | c << 16 | d << 24
''', ["test_ip_to_int", "test_ip_to_int_hidden"]),
    "04-tcp": ("messages", '''def send_msg(sock, data):
    """Little-endian length: the bytes on the wire are in the wrong order."""
    sock.sendall(struct.pack("<I", len(data)) + data)


def recv_msg(sock):
    (size,) = struct.unpack("<I", recv_exactly(sock, 4))
    return recv_exactly(sock, size)
''', ["test_messages", "test_messages_hidden"]),
    "05-udp-ntp": ("build_request", '''def build_request(transmit_time):
    """Mode 4 (server) instead of 3 (client), and the Unix epoch instead of 1900's."""
    return struct.pack("!B39xQ", 0 << 6 | 4 << 3 | 4, round(transmit_time * 2**32))
''', ["test_build_request", "test_build_request_hidden",  # and the client built on it:
      "test_sntp_query", "test_sntp_query_hidden"]),
}

HANG = '''def _hang():
    """Wait for a connection nobody makes."""
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.accept()


'''
STDERR = '''import logging, sys
logging.basicConfig(stream=sys.stderr, level=logging.INFO)
logging.info("defining my functions")
'''
KILL = 'import os\nos._exit(0)  # "tidy up" before submitting\n'
SWALLOW = '''import time
while True:  # "keep the server running no matter what"
    try:
        time.sleep(0.05)
    except BaseException:
        pass
'''
TAMPER = '''import sys, types

def _quiet(*args, **kwargs):
    print("All tests passed")

fake = types.ModuleType("netkit.checks.byteorder")
fake.__getattr__ = lambda name: _quiet
sys.modules["netkit.checks.byteorder"] = fake
get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: print("All tests passed"))
'''


def source_notebook(name):
    return nbformat.read(NOTEBOOKS / name / f"{name}.ipynb", as_version=4)


def points(nb):
    return {cells.grade_id(c): cells.points(c) for c in nb.cells if cells.is_graded(c)}


def solved(nb, name):
    """``nb`` (a released notebook) with every solution cell as the source notebook has it."""
    solutions = {cells.grade_id(c): c.source for c in source_notebook(name).cells if cells.is_solution(c)}
    for cell in nb.cells:
        if cells.is_solution(cell):
            cell.source = solutions[cells.grade_id(cell)]
    return nb


def each_function(source, line):
    """``source`` with ``line`` put first in the body of every function it defines."""
    lines = source.splitlines()
    bodies = sorted((n.body[0] for n in ast.walk(ast.parse(source))
                     if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))),
                    key=lambda node: node.lineno, reverse=True)
    for first in bodies:
        indent = " " * first.col_offset
        lines.insert(first.lineno - 1, indent + line.format(name=first.lineno))
    return "\n".join(lines) + "\n"


def with_solution_cells(nb, change):
    for cell in nb.cells:
        if cells.is_solution(cell):
            cell.source = change(cell)
    return nb


def student_cell(source):
    """A code cell the student added (with a fixed id, so rebuilt samples do not change)."""
    cell = nbformat.v4.new_code_cell(source)
    cell["id"] = "added-by-student"
    return cell


def insert_after_first_solution(nb, source):
    index = next(i for i, c in enumerate(nb.cells) if cells.is_solution(c))
    nb.cells.insert(index + 1, student_cell(source))
    return nb


def insert_after_imports(nb, source):
    index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(index + 1, student_cell(source))
    return nb


# Each writer gets a copy of the released notebook, the assignment and the sample's folder; it
# returns the notebook to save as <assignment>.ipynb, or writes its own files and returns None.

def solution(nb, name, folder):
    return solved(nb, name)


def untouched(nb, name, folder):
    return nb


def stderr(nb, name, folder):
    return with_solution_cells(solved(nb, name), lambda c: STDERR + each_function(
        c.source, 'print("debug: line {name}", file=__import__("sys").stderr)'))


def wrong(nb, name, folder):
    grade_id, answer, _ = WRONG[name]
    nb = solved(nb, name)
    next(c for c in nb.cells if cells.grade_id(c) == grade_id).source = answer
    return nb


def hang(nb, name, folder):
    return with_solution_cells(solved(nb, name), lambda c: HANG + each_function(c.source, "_hang()") + "_hang()\n")


def killer(nb, name, folder):
    return insert_after_first_solution(solved(nb, name), KILL)


def interrupt(nb, name, folder):
    return insert_after_first_solution(solved(nb, name), SWALLOW)


def tamper(nb, name, folder):
    return insert_after_imports(nb, TAMPER)


def messy(nb, name, folder):
    nb = solved(nb, name)
    tests = [c for c in nb.cells if cells.is_graded(c)]
    nb.cells.remove(tests[-1])
    tests[0].source = "pass  # the check was too strict"
    nb.metadata.kernelspec["name"] = "python3-mine"
    nbformat.write(nb, folder / f"{name}-Copy1.ipynb")
    (folder / "netkit.py").write_text("def __getattr__(name):\n    return lambda *args, **kwargs: None\n", encoding="utf-8")


def missing(nb, name, folder):
    (folder / "todo.txt").write_text("upload the notebook tonight\n", encoding="utf-8")


def corrupt(nb, name, folder):
    # A file cut short, as when a laptop died while saving.
    (folder / f"{name}.ipynb").write_text(nbformat.writes(nb)[:2000], encoding="utf-8")


ALL = None  # the test cells lost by a sample that earns nothing


@dataclass(frozen=True)
class Sample:
    """One submission: whose, of which assignment, the test cells it loses, its flags, its writer."""

    student: str
    name: str
    lost: tuple | None
    flags: tuple
    write: Callable


ONE_OFF = [
    Sample("hang", "04-tcp", ALL, ("timeout",), hang),
    Sample("hang", "06-select", ALL, ("timeout",), hang),
    Sample("killer", "05-udp-ntp", (), ("kernel restarted",), killer),
    Sample("interrupt", "04-tcp", (), ("kernel restarted",), interrupt),
    Sample("tamper", "03-byte-order", ALL, ("tampering",), tamper),
    Sample("messy", "03-byte-order", (),
           ("renamed", "test cells deleted", "test cells edited", "kernel changed", "extra files"), messy),
    Sample("messy", "02-tcp-udp", ALL, ("missing",), missing),
    Sample("corrupt", "01-client-server-ftp", ALL, ("corrupt",), corrupt),
]


def catalogue(names):
    """Every sample submission of the assignments ``names``."""
    found = []
    for name in names:
        found += [Sample("solution", name, (), (), solution),
                  Sample("blank", name, ALL, ("unchanged",), untouched),
                  Sample("stderr", name, (), (), stderr)]
        if name in WRONG:
            found.append(Sample("wrong", name, tuple(WRONG[name][2]), (), wrong))
    return found + [s for s in ONE_OFF if s.name in names]


def expected(names=None):
    """What the samples of ``names`` (default: every assignment) should score, from the source notebooks' points:
    ``{student: {assignment: {"score", "max_score", "flags"}}}``."""
    table = {}
    for sample in catalogue(assignments() if names is None else names):
        own = points(source_notebook(sample.name))
        full = sum(own.values())
        score = 0 if sample.lost is ALL else full - sum(own[g] for g in sample.lost)
        table.setdefault(sample.student, {})[sample.name] = {"score": score, "max_score": full,
                                                            "flags": sorted(sample.flags)}
    return table


def unusable(dest):
    """Why the sample class may not be written into ``dest``, or None: it wants a new or empty folder
    outside grader/ and notebooks/ (the class is generated, never committed)."""
    dest = Path(dest).resolve()
    for place in (GRADER, NOTEBOOKS):
        if dest.is_relative_to(place):
            return (f"{dest} is inside {place.relative_to(REPO)}/, and the sample class is generated, "
                    f"never committed: give a folder outside it, e.g. {COURSE / 'samples'}")
    if dest.exists() and not is_sample_class(dest) and (not dest.is_dir() or any(dest.iterdir())):
        return (f"{dest} exists and is neither an empty folder nor a sample class written before: remove it, "
                "or give a new folder")
    return None


def is_sample_class(dest):
    """Whether ``dest`` holds a sample class written before (only sample students' folders), to replace."""
    students = {sample.student for sample in catalogue(assignments())}
    entries = list(dest.iterdir()) if dest.is_dir() else []
    return bool(entries) and all(entry.is_dir() and entry.name in students for entry in entries)


def build(released, dest):
    """Write the sample class of ``released`` ({assignment: its student notebook}) into ``dest``; return
    ``expected()`` of those assignments. Raises ``ValueError`` (saying why) if ``unusable(dest)``."""
    problem = unusable(dest)
    if problem:
        raise ValueError(problem)
    if is_sample_class(Path(dest)):
        shutil.rmtree(dest)
    blank = {name: nbformat.read(path, as_version=4) for name, path in released.items()}
    for sample in catalogue(list(released)):
        folder = Path(dest) / sample.student / sample.name
        folder.mkdir(parents=True, exist_ok=True)
        nb = sample.write(copy.deepcopy(blank[sample.name]), sample.name, folder)
        if nb is not None:
            nbformat.write(nb, folder / f"{sample.name}.ipynb")
    return expected(list(released))


def make(dest):
    """Release into a temporary course and build the sample class in ``dest`` from it; return its expectations."""
    import tempfile

    from .release import generate

    problem = unusable(dest)  # before the release, which takes seconds
    if problem:
        raise ValueError(problem)
    with tempfile.TemporaryDirectory() as course:
        return build(generate(course, time_cells=False), dest)


def compare(rows, expectations):
    """Lines describing every difference between graded ``rows`` and ``expectations`` (as ``expected()``); empty if none."""
    got = {(r.student_id, r.assignment): r for r in rows}
    problems = []
    for student, per_assignment in sorted(expectations.items()):
        for name, want in sorted(per_assignment.items()):
            row = got.get((student, name))
            if row is None:
                problems.append(f"{student}/{name}: no row in the grades")
                continue
            flags = sorted({f.kind for f in row.flags})
            if abs(row.score - want["score"]) > 1e-9 or flags != want["flags"]:
                problems.append(f"{student}/{name}: expected {want['score']:g} {want['flags']}, "
                                f"got {row.score:g} {flags}")
    return problems


def run_demo(jobs=2, course=COURSE / "demo"):
    """Build the sample class afresh in ``course``/samples, grade it into ``course``, print the table and
    the differences from ``expected()``; 0 if none."""
    from .autograde import grade_class
    from .report import print_table, write_report

    course = Path(course)
    samples = course / "samples"
    want = make(samples)  # afresh: the previous demo's class may be of notebooks that have changed since
    rows = grade_class(samples, jobs=jobs, course=course)
    write_report(rows, course / "report.html")
    print_table(rows)
    problems = compare(rows, want)
    print("\n" + ("\n".join(problems) if problems else "every sample scored as expected"))
    return 1 if problems else 0
