"""The grader's parts on small notebooks: the robust executor, the intake and the tamper scan."""

import hashlib
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader import deadlines
from grader.execute import RobustExecute, where_interrupted
from grader.intake import take_in
from grader.tamper import suspicious_code


def code(source, grade_id=None, points=0, solution=False):
    cell = new_code_cell(source)
    if grade_id:
        cell.metadata.nbgrader = {"grade": bool(points), "solution": solution, "locked": not solution,
                                  "grade_id": grade_id, "points": points, "schema_version": 3}
        if not points:
            del cell.metadata.nbgrader["points"]
    return cell


def notebook(*cells):
    nb = new_notebook(cells=list(cells))
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def run(nb, tmp_path, **config):
    executor = RobustExecute(cell_timeout=2, test_cell_timeout=4, interrupt_grace=1, **config)
    executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return nb


def error_names(cell):
    return [o.ename for o in cell.outputs if o.output_type == "error"]


def test_a_hung_cell_costs_its_deadline_and_the_rest_still_runs(tmp_path):
    nb = run(notebook(code("x = 1"), code("import time\nwhile True: time.sleep(0.05)"),
                      code("assert x == 1", "t1", 1)), tmp_path)
    assert error_names(nb.cells[1]) == ["CellTimeoutError"]
    assert "did not finish within 2 s" in nb.cells[1].outputs[-1].evalue
    assert "It was at: Cell In[2], line 2: `while True: time.sleep(0.05)`." in nb.cells[1].outputs[-1].evalue
    assert error_names(nb.cells[2]) == []


def test_a_hang_is_reported_at_the_students_line_not_in_library_source():
    traceback = [
        "\x1b[31mKeyboardInterrupt\x1b[39m   Traceback (most recent call last)",
        "\x1b[36mCell In[2], line 2\x1b[39m\n      1 x = 1\n----> 2 f()\n",
        "Cell In[1], line 6, in f()\n      5     s.listen()\n----> 6     s.accept()\n",
        "File ~/lib/python3.11/socket.py:294, in socket.accept(self)\n    293 \"\"\"\n--> 294     fd, addr = self._accept()\n"
        "    295     sock = socket(self.family)\n",
        "KeyboardInterrupt: ",
    ]
    where = where_interrupted([{"output_type": "error", "ename": "KeyboardInterrupt", "traceback": traceback}])
    assert where == " It was at: Cell In[1], line 6, in f(): `s.accept()`, inside socket.accept(self)."
    assert where_interrupted([{"output_type": "error", "ename": "ValueError", "traceback": traceback}]) == ""


def test_after_a_hang_later_cells_get_less_time_and_quick_ones_still_run(tmp_path):
    hang = "import time\nwhile True: time.sleep(0.05)"
    nb = run(notebook(code(hang), code("def f():\n    return 1"), code(hang), code("assert f() == 1", "t1", 1)), tmp_path)
    assert "did not finish within 2 s" in nb.cells[0].outputs[-1].evalue
    assert "less time" not in nb.cells[0].outputs[-1].evalue
    assert error_names(nb.cells[1]) == []
    assert "did not finish within 0.5 s" in nb.cells[2].outputs[-1].evalue
    assert "already run past its deadline, so this one had less time" in nb.cells[2].outputs[-1].evalue
    assert error_names(nb.cells[3]) == []


def test_learned_deadlines_drop_their_floor_after_a_hang_and_keep_their_slack():
    quick, slow = code("f()", "quick"), code("g()", "slow")
    table = {"id:quick": 0.004, "id:slow": 0.8}
    assert deadlines.deadline_for(quick, table) == deadlines.FLOOR == 1.0
    assert deadlines.deadline_for(quick, table, after_hang=True) == deadlines.HUNG_FLOOR == 0.25
    assert deadlines.deadline_for(slow, table) == deadlines.deadline_for(slow, table, after_hang=True) == 4.0
    assert deadlines.deadline_for(code("h()"), table) is None


def test_a_dead_kernel_costs_one_cell_and_earlier_cells_run_again(tmp_path):
    nb = run(notebook(code("x = 41"), code("x += 1\nimport os\nos._exit(3)"),
                      code("assert x == 41, x", "t1", 1)), tmp_path)
    assert error_names(nb.cells[1]) == ["KernelRestarted"]
    assert "os._exit()" in nb.cells[1].outputs[-1].evalue
    assert error_names(nb.cells[2]) == []  # x came back from re-running the first cell


def test_a_kernel_that_ignores_interrupts_is_replaced(tmp_path):
    # The interrupt lands in sleep(), inside the try, almost surely: like a real student's loop.
    swallow = "import time\nwhile True:\n    try:\n        time.sleep(0.01)\n    except BaseException:\n        pass"
    nb = run(notebook(code("y = 2"), code(swallow), code("assert y == 2", "t1", 1)), tmp_path)
    assert error_names(nb.cells[1]) == ["KernelRestarted"]
    assert "ignored the interrupt" in nb.cells[1].outputs[-1].evalue
    assert error_names(nb.cells[2]) == []


def test_a_runaway_allocation_fails_its_own_cell_and_the_kernel_lives_on(tmp_path):
    grow = code("chunks = []\nwhile True:\n    chunks.append(bytes(64 * 2**20))  # calloc: counted, not touched")
    grow.metadata.deadline = 30  # the limit, not the deadline, must stop it
    nb = run(notebook(code("z = 3"), grow, code("del chunks\nassert z == 3", "t1", 1)), tmp_path, memory_limit=1.0)
    assert error_names(nb.cells[1]) == ["MemoryError"]
    assert "at most 1 GiB of memory" in nb.cells[1].outputs[-1].traceback[-1]
    assert error_names(nb.cells[2]) == []  # the same kernel: z is still there


def test_known_tricks_earn_nothing(tmp_path):
    tricks = code(
        "import sys, types, builtins\n"
        "fake = types.ModuleType('netkit'); fake.checks = None\n"
        "sys.modules['netkit'] = fake\n"
        "builtins.AssertionError = type('Quiet', (Exception,), {})\n"
        "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: print('All tests passed'))\n")
    test = code("import netkit, sys\nassert netkit.__file__, 'real netkit'\nassert False, 'the check fails'", "t1", 1)
    nb = run(notebook(tricks, test), tmp_path)
    assert error_names(nb.cells[1]) == ["AssertionError"]


def test_stderr_of_a_passing_test_cell_does_not_cost_points(tmp_path):
    nb = run(notebook(code("import sys\nprint('debug', file=sys.stderr)", "t1", 1)), tmp_path)
    assert [o.name for o in nb.cells[0].outputs if o.output_type == "stream"] == ["stdout"]


# ---------------------------------------------------------------- intake


@pytest.fixture
def released(tmp_path):
    nb = notebook(new_markdown_cell("# A"), code("def f():\n    raise NotImplementedError()", "f", solution=True),
                  code("assert f() == 1", "test_f", 2), code("assert f() != 2", "test_f2", 1))
    path = tmp_path / "release" / "a1" / "a1.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return nb


def submit(tmp_path, student, nb=None, name="a1.ipynb", raw=None):
    folder = tmp_path / "subs" / student / "a1"
    folder.mkdir(parents=True)
    if raw is not None:
        (folder / name).write_text(raw)
    else:
        nbformat.write(nb, folder / name)
    return folder


def digest(folder):
    return {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def kinds(intake):
    return sorted(f.kind for f in intake.flags)


def test_intake_flags_and_repairs_without_touching_the_originals(tmp_path, released):
    broken = nbformat.from_dict(json.loads(json.dumps(released)))
    del broken.cells[2]                       # deleted a test cell
    broken.cells[2].source = "pass"           # emptied the other
    broken.metadata.kernelspec["name"] = "python2"
    renamed = submit(tmp_path, "ann", broken, name="a1-Copy1.ipynb")
    (renamed / "netkit.py").write_text("def check(*a): pass\n")
    (renamed / "timestamp.txt").write_text("2026-11-25 10:00:00")
    submit(tmp_path, "bob", raw="{not json")
    submit(tmp_path, "cid", raw='{"cells": 3}')
    (tmp_path / "subs" / "dan" / "a1").mkdir(parents=True)
    before = digest(tmp_path / "subs")

    intakes = {i.student: i for i in take_in(tmp_path / "subs", tmp_path / "release", tmp_path / "dest", ["a1"])}

    assert digest(tmp_path / "subs") == before
    assert kinds(intakes["ann"]) == ["extra files", "kernel changed", "renamed", "test cells deleted", "test cells edited"]
    assert kinds(intakes["bob"]) == ["corrupt"] and "not valid JSON" in str(intakes["bob"].flags[0])
    assert kinds(intakes["cid"]) == ["corrupt"] and not intakes["cid"].gradable
    assert kinds(intakes["dan"]) == ["missing"]
    graded = nbformat.read(tmp_path / "dest" / "ann" / "a1" / "a1.ipynb", as_version=4)
    assert [c.source for c in graded.cells[2:]] == ["assert f() == 1", "assert f() != 2"]
    assert graded.metadata.kernelspec["name"] == "python3"
    assert (tmp_path / "dest" / "ann" / "a1" / "timestamp.txt").is_file()
    assert not (tmp_path / "dest" / "ann" / "a1" / "netkit.py").exists()


def test_intake_refuses_to_write_over_its_input(tmp_path, released):
    submit(tmp_path, "ann", released)
    with pytest.raises(ValueError, match="must not overlap"):
        take_in(tmp_path / "subs", tmp_path / "release", tmp_path / "subs", ["a1"])


# ---------------------------------------------------------------- tamper scan


@pytest.mark.parametrize("source, expected", [
    ("import sys\nsys.modules['netkit'] = object()", "sys.modules"),
    ("import netkit.checks.tcp as t\nt.check_echo = lambda *a: None", "netkit's grading code"),
    ("from netkit.checks import tcp\nsetattr(tcp, 'check_echo', print)", "netkit's grading code"),
    ("from netkit.hidden.tcp import check_echo_server_hidden", "netkit's grading code"),
    ("import builtins\nbuiltins.print = None", "builtins"),
    ("get_ipython().set_custom_exc((Exception,), None)", "hide errors"),
    ("def check_echo_server(*a):\n    pass", "a name the test cells use"),
    ("print('All tests passed!')", "looks like a test result"),
    ("from unittest import mock", "mock"),
])
def test_tamper_scan_flags_known_tricks(source, expected):
    assert any(expected in reason for reason in suspicious_code([source])), suspicious_code([source])


def test_tamper_scan_leaves_honest_code_alone():
    honest = ["import socket, sys\nprint(sys.byteorder)",
              "from netkit import echo_server\nwith echo_server() as address:\n    print(address)",
              "%time x = 1\nprint('received', 5, 'bytes')",
              "def recv_exactly(sock, n):\n    return b''"]
    assert suspicious_code(honest) == []


# ---------------------------------------------------------------- the guard and the sandbox


def flags_of(nb):
    from grader.execute import cell_flags
    return [flag for cell in nb.cells for flag in cell_flags(cell, "t")]


@pytest.mark.parametrize("trick", [
    "get_ipython().run_cell = lambda *a, **k: None",
    "import IPython\nIPython.core.interactiveshell.InteractiveShell.run_cell_async = None",
    "get_ipython().ast_transformers.append(__import__('ast').NodeTransformer())",
    "import time\ntime.monotonic = lambda: 0.0",
    "import netkit.checks._base as b\nb.show_bytes.__defaults__ = (1,)",
])
def test_the_guard_undoes_changes_to_the_machinery_and_says_so(tmp_path, trick):
    nb = run(notebook(code(trick), code("assert False, 'the check fails'", "t1", 1)), tmp_path)
    assert error_names(nb.cells[1]) == ["AssertionError"]
    assert any("the grader undid" in reason for _, reason in flags_of(nb)), flags_of(nb)


def test_a_hook_reinstalled_behind_the_guards_back_earns_nothing(tmp_path):
    again = code("import threading, time\ndef rewrite(lines):\n    return ['pass\\n']\n"
                 "def keep():\n    while True:\n        ip = get_ipython()\n"
                 "        if rewrite not in ip.input_transformers_cleanup:\n"
                 "            ip.input_transformers_cleanup.append(rewrite)\n        time.sleep(0.001)\n"
                 "threading.Thread(target=keep, daemon=True).start()")
    nb = run(notebook(again, code("assert False, 'the check fails'", "t1", 1)), tmp_path)
    assert error_names(nb.cells[1]) == ["GraderTampering"]
    assert any("no points" in reason for _, reason in flags_of(nb))


def test_a_trace_function_costs_the_test_cells_it_watched(tmp_path):
    nb = run(notebook(code("import sys\nsys.settrace(lambda *a: None)"), code("pass", "t1", 1)), tmp_path)
    assert error_names(nb.cells[1]) == ["GraderTampering"]
    assert "sys.settrace" in nb.cells[1].outputs[-1].evalue


def test_the_kernel_sees_only_its_own_folder_and_loopback(tmp_path):
    (tmp_path / "data.txt").write_text("given")
    look = code("import os, pathlib, socket\nimport netkit\nrepo = pathlib.Path(netkit.__file__).resolve().parent.parent\n"
                "assert sorted(os.listdir('.')) == ['data.txt'], os.listdir('.')\n"
                "assert not (repo / 'grader').exists() and not (repo / 'course').exists()\n"
                f"assert not pathlib.Path({str(tmp_path)!r}).exists()\n"
                "pathlib.Path('out.txt').write_text('mine')\n"
                "assert 'CapEff:\\t0000000000000000' in open('/proc/self/status').read()\n"
                "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\nexcept OSError:\n    pass\n"
                "else:\n    raise AssertionError('reached another host')\n", "t1", 1)
    nb = run(notebook(look), tmp_path)
    assert error_names(nb.cells[0]) == []
    assert not (tmp_path / "out.txt").exists()  # it wrote to its own copy


def test_a_sandbox_that_cannot_start_says_why(tmp_path, monkeypatch):
    from grader import sandbox
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox, "_bwrap", lambda: str(fake))
    monkeypatch.setattr(sandbox, "_PROBED", True)
    with pytest.raises(sandbox.SandboxFailed, match="sandbox failed: .*Permission denied"):
        run(notebook(code("x = 1")), tmp_path)
    monkeypatch.setattr(sandbox, "_PROBED", False)
    with pytest.raises(sandbox.SandboxUnavailable, match="apparmor_restrict_unprivileged_userns=0"):
        run(notebook(code("x = 1")), tmp_path)


def test_a_class_graded_without_the_sandbox_is_said_so_at_the_top_of_the_report():
    from grader.records import Flag, Row
    from grader.report import render
    rows = [Row("ann", "a1", 1, 2, flags=[Flag("no sandbox", "graded with --sandbox none")]), Row("bob", "a1", 2, 2)]
    page = render(rows)
    assert page.index("No sandbox:") < page.index("<h2>")
    assert "No sandbox:" not in render([Row("bob", "a1", 2, 2)])
