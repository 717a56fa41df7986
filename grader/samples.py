"""A whole class in miniature, made from the source notebooks, with what each should score.

``python -m grader samples`` writes ``grader/samples/<student>/<assignment>/...`` and
``grader/samples/expected.json``; ``python -m grader demo`` grades them and compares.
Each student is one kind of submission an instructor meets:

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

The expected score of each is declared here from the notebooks' own points (which test
cells a mistake loses), never read back from a grading run.
"""

import ast
import copy
import json
import shutil
from pathlib import Path

import nbformat

from . import cells
from .paths import GRADER, NOTEBOOKS

SAMPLES = GRADER / "samples"

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


def solved(released, name):
    """The released notebook with every solution cell as the source notebook has it."""
    solutions = {cells.grade_id(c): c.source for c in source_notebook(name).cells if cells.is_solution(c)}
    nb = copy.deepcopy(released)
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


def build(released, dest=SAMPLES):
    """Write the sample class under ``dest`` from the released notebooks; return the expectations."""
    if dest.exists():
        shutil.rmtree(dest)
    expected = {}

    def put(student, name, nb, score, flags=(), filename=None):
        folder = dest / student / name
        folder.mkdir(parents=True, exist_ok=True)
        if nb is not None:
            nbformat.write(nb, folder / (filename or f"{name}.ipynb"))
        full = sum(points(source_notebook(name)).values())
        expected.setdefault(student, {})[name] = {"score": full if score == "full" else score,
                                                  "max_score": full, "flags": sorted(flags)}
        return folder

    names = list(released)
    blank = {name: nbformat.read(released[name], as_version=4) for name in names}
    for name in names:
        put("solution", name, solved(blank[name], name), "full")
        put("blank", name, copy.deepcopy(blank[name]), 0, ["unchanged"])
        put("stderr", name, with_solution_cells(solved(blank[name], name), lambda c: STDERR + each_function(
            c.source, 'print("debug: line {name}", file=__import__("sys").stderr)')), "full")
        if name in WRONG:
            grade_id, wrong, lost = WRONG[name]
            nb = solved(blank[name], name)
            next(c for c in nb.cells if cells.grade_id(c) == grade_id).source = wrong
            own = points(source_notebook(name))
            put("wrong", name, nb, sum(own.values()) - sum(own[g] for g in lost))
    for name in ("04-tcp", "06-select"):
        if name in blank:
            hang = with_solution_cells(solved(blank[name], name),
                                       lambda c: HANG + each_function(c.source, "_hang()") + "_hang()\n")
            put("hang", name, hang, 0, ["timeout"])
    if "05-udp-ntp" in blank:
        put("killer", "05-udp-ntp", insert_after_first_solution(solved(blank["05-udp-ntp"], "05-udp-ntp"), KILL),
            "full", ["kernel restarted"])
    if "04-tcp" in blank:
        put("interrupt", "04-tcp", insert_after_first_solution(solved(blank["04-tcp"], "04-tcp"), SWALLOW),
            "full", ["kernel restarted"])
    if "03-byte-order" in blank:
        put("tamper", "03-byte-order", insert_after_imports(copy.deepcopy(blank["03-byte-order"]), TAMPER), 0, ["tampering"])
        messy = solved(blank["03-byte-order"], "03-byte-order")
        tests = [c for c in messy.cells if cells.is_graded(c)]
        messy.cells.remove(tests[-1])
        tests[0].source = "pass  # the check was too strict"
        messy.metadata.kernelspec["name"] = "python3-mine"
        folder = put("messy", "03-byte-order", messy, "full",
                     ["renamed", "test cells deleted", "test cells edited", "kernel changed", "extra files"],
                     filename="03-byte-order-Copy1.ipynb")
        (folder / "netkit.py").write_text("def __getattr__(name):\n    return lambda *args, **kwargs: None\n")
    if "02-tcp-udp" in blank:
        # A folder with no notebook in it (git keeps no empty folders, so it holds a note).
        folder = put("messy", "02-tcp-udp", None, 0, ["missing"])
        (folder / "todo.txt").write_text("upload the notebook tonight\n")
    if "01-client-server-ftp" in blank:
        folder = put("corrupt", "01-client-server-ftp", None, 0, ["corrupt"])
        # A file cut short, as when a laptop died while saving.
        (folder / "01-client-server-ftp.ipynb").write_text(nbformat.writes(blank["01-client-server-ftp"])[:2000])
    (dest / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return expected


def make(dest=SAMPLES):
    """Release into a temporary course and build the samples from it."""
    import tempfile

    from .release import generate

    with tempfile.TemporaryDirectory() as course:
        return build(generate(course, time_cells=False), Path(dest))


def compare(rows, expected):
    """Lines describing every difference between graded ``rows`` and ``expected``; empty if none."""
    got = {(r.student_id, r.assignment): r for r in rows}
    problems = []
    for student, per_assignment in sorted(expected.items()):
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


def run_demo(jobs=2, course=None):
    """Grade the samples, print the table and the differences from expected.json; 0 if none."""
    from .autograde import grade_class
    from .paths import COURSE
    from .report import print_table, write_report

    course = Path(course or COURSE)
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    rows = grade_class(SAMPLES, jobs=jobs, course=course)
    write_report(rows, course / "report.html")
    print_table(rows)
    problems = compare(rows, expected)
    print("\n" + ("\n".join(problems) if problems else "every sample scored as expected"))
    return 1 if problems else 0
