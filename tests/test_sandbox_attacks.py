"""More attacks of a hostile student, graded through the real grader in the real sandbox (issue 11's red team).

The attacks of ``test_sandbox`` reach for the gradebook, the repository and netkit; these reach for
the guard itself (its runner, its signing handler), race it from a thread, look around the sandbox
(``/proc``, inherited descriptors, other jobs), exhaust what the sandbox shares with the submissions
graded beside it (disk, memory in ``/tmp``, CPU) and forge how a test cell ended. Each is the blank
lab 03 plus one cell; one class, graded once with ``--jobs 2`` beside the full solution.
"""

import ast
import time

import nbformat
import pytest

from grader.autograde import grade_class
from grader.sandbox import SandboxUnavailable, probe
from tests.test_sandbox import LAB, MARKER, SECRET, autograded_text, living, write_class

FIND_GUARD = '''g = next(k for k in list(globals()) if k.startswith("_grader_guard_") and callable(globals()[k]))
real = globals()[g]
cells = dict(zip(real.__code__.co_freevars, real.__closure__))
'''
FORGE = '''kernel = get_ipython().kernel
name = next(k for k in kernel.control_handlers if k.startswith("_grader_guard_"))
handle = kernel.control_handlers[name]
sign = dict(zip(handle.__code__.co_freevars, handle.__closure__))["sign"].cell_contents
def forged(stream, ident, parent, kernel=kernel, sign=sign, reply=name[:-len("request")] + "reply"):
    request = parent["content"]
    answer = {{"nonce": request.get("nonce"), "restored": []}}
    if request.get("action") != "before":
        answer["outcome"] = {{"status": "ok", "traced": False}}
    kernel.session.send(stream, reply, sign(answer), parent, ident=ident)
kernel.control_handlers[name] = forged
'''
# grades a class of attacks in the sandbox (make test, not make quick); pytest-timeout's limit is for a hang, and a busy machine grades slowly
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ATTACKS = {
    # Rebind the guard's runner (the name the grader's call looks up) to a wrapper that runs `pass`.
    "runner": FIND_GUARD + '''staged = cells["staged"].cell_contents
def runner(run_id, real=real, staged=staged):
    staged[run_id] = "pass"
    return real(run_id)
globals()[g] = runner
''',
    # Keep the runner; swap the `exec` it closes over for one that runs nothing.
    "closure": FIND_GUARD + '''cells["pristine_exec"].cell_contents = lambda *args, **kwargs: None
''',
    # Replace the guard's control handler with one that answers "nothing restored, the test ran",
    # signed by the guard's own signing function (reached through closures, not the garbage collector).
    "forger": FORGE,
    # The same, and the runner rebound to one that runs nothing, so that nothing of the guard runs at all.
    "forger2": FORGE + """globals()[name[:-len("_request")]] = lambda run_id: None
""",
    # A thread that swaps netkit's checks for no-ops only while the guard's runner is on a stack,
    # and puts them back before the guard looks again.
    "racer": FIND_GUARD + '''import importlib, sys, threading
def passes(*args, **kwargs):
    return None
targets = []
for module in ("netkit.checks.byteorder", "netkit.hidden.byteorder"):
    try:
        checks = importlib.import_module(module)
    except ImportError:
        continue
    targets += [(checks, n, getattr(checks, n)) for n in dir(checks) if n.startswith("check_")]
def running(code=real.__code__):
    for frame in list(sys._current_frames().values()):
        while frame is not None:
            if frame.f_code is code:
                return True
            frame = frame.f_back
    return False
def race():
    while True:
        swapped = running()
        for module, name, original in targets:
            setattr(module, name, passes if swapped else original)
sys.setswitchinterval(1e-6)
threading.Thread(target=race, daemon=True).start()
''',
    # Look around: descriptors inherited from the grader, /proc/1/root, the mounts, other jobs' sockets
    # (abstract ones too), signals to every process in reach; leave a symlink for the grader to follow.
    "looker": '''import os, pathlib, signal, socket
seen = []
for fd in os.listdir("/proc/self/fd"):
    try:
        seen.append(os.readlink(f"/proc/self/fd/{{fd}}"))
    except OSError:
        pass
print("fds:", sorted(set(seen)))
print("root:", sorted(os.listdir("/proc/1/root")))
print("pids:", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
print("writable:", [l.split()[1] for l in open("/proc/mounts") if " rw," in l and l.split()[0] != "proc"])
print("job:", os.path.dirname(os.getcwd()), sorted(os.listdir(os.path.dirname(os.getcwd()))), "tmp:", sorted(os.listdir("/tmp")))
for path in pathlib.Path("/").glob("*/grade-*"):
    print("another job:", path)
with open("/proc/net/unix") as table:
    print("abstract sockets:", [l.split()[-1] for l in table if l.split()[-1].startswith("@")])
with open("03-byte-order.ipynb", "w") as forged:  # the notebook's own name, "executed", with nothing failing
    forged.write('{{"cells": [], "metadata": {{}}, "nbformat": 4, "nbformat_minor": 5}}')
for target in ({course!r}, "/", "/etc"):
    try:
        os.symlink(target, os.path.join(os.getcwd(), "link-" + target.strip("/").replace("/", "_")))
    except OSError as exc:
        print("symlink:", exc)
for pid in range(2, 2000):
    try:
        os.kill(pid, 0)
    except OSError:
        continue
    print("can signal:", pid, open(f"/proc/{{pid}}/cmdline", "rb").read()[:60])
''',
    # Fill what the sandbox shares with the host: its private /tmp (a tmpfs: host memory) and the job
    # folder (host disk), many files each under the file-size limit.
    "filler": '''import os
written = {{}}
for folder in ("/tmp", "/dev/shm"):
    written[folder] = 0
    for n in range(8):
        try:
            with open(os.path.join(folder, f"fill{{n}}"), "wb") as f:
                for _ in range(100):
                    f.write(b"x" * 2**20)
                    written[folder] += 1
        except OSError as exc:
            print("stopped:", folder, exc.strerror)
            break
print("written MiB:", written)
''',
    # Fill the host's disk through the job folder, many files each under the file-size limit.
    "diskfiller": '''import os
written = 0
for n in range(40):
    with open(f"fill{{n}}", "wb") as f:
        for _ in range(100):
            f.write(b"x" * 2**20)
    written += 100
    print("job folder MiB:", written, flush=True)
''',
    # Flood the grader, which keeps every output, with output until the cell's deadline.
    "flooder": '''import sys
line = "all tests passed " * 4096 + "\\n"
while True:
    sys.stdout.write(line)
''',
    # Starve the submission graded beside it: busy processes in sessions of their own.
    "spinner": '''import subprocess, sys
for _ in range(8):
    subprocess.Popen([sys.executable, "-c", "while True: pass", {marker!r}], start_new_session=True)
print("spinning")
''',
    # End checks with exits that are not failures elsewhere; clear the test cell's error from a thread.
    "exits": '''import os, sys, threading, time
from IPython.display import clear_output
def ip_to_int(text):
    raise SystemExit(0)
def int_to_ip(number):
    raise KeyboardInterrupt
def htonl(x, byteorder=sys.byteorder):
    sys.exit()
def clear():
    while True:
        clear_output()
        time.sleep(0.001)
threading.Thread(target=clear, daemon=True).start()
''',
    # Serve a stub netkit.checks and netkit.hidden from a finder, and put stubs in sys.modules.
    "stubs": '''import importlib.abc, importlib.machinery, sys, types
class Stub(types.ModuleType):
    def __getattr__(self, name):
        return lambda *args, **kwargs: None
class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name.startswith(("netkit.checks", "netkit.hidden")):
            return importlib.machinery.ModuleSpec(name, self)
    def create_module(self, spec):
        return Stub(spec.name)
    def exec_module(self, module):
        pass
sys.meta_path.insert(0, Finder())
for name in [n for n in sys.modules if n.startswith(("netkit.checks", "netkit.hidden"))]:
    sys.modules[name] = Stub(name)
''',
}
GUARD_ATTACKS = {"runner", "closure", "forger", "forger2", "racer", "stubs"}


@pytest.fixture(scope="module")
def attacked(tmp_path_factory, sample_class):
    try:
        probe()
    except SandboxUnavailable as exc:
        pytest.fail(str(exc))
    root = tmp_path_factory.mktemp("attacks")
    submissions, course = root / "submissions", root / "course"
    write_class(sample_class, submissions, ATTACKS, course=str(course), marker=MARKER)
    rows = grade_class(submissions, jobs=2, course=course, show_progress=False)
    return {"rows": {r.student_id: r for r in rows}, "course": course}


def lines(course, student, prefix):
    return [line[len(prefix):].strip() for line in autograded_text(course, student).splitlines() if line.startswith(prefix)]


def test_attacks_on_the_guard_earn_nothing_and_are_flagged(attacked):
    rows = attacked["rows"]
    for student in GUARD_ATTACKS - {"forger2"}:
        assert rows[student].score == 0, (student, rows[student].cells)
    for student in GUARD_ATTACKS:
        assert any(f.kind == "tampering" for f in rows[student].flags), (student, rows[student].flags)
    # Found at run time, not only by reading the code: the guard put its runner back, and caught the racing thread.
    reasons = {student: " ".join(f.reason for f in rows[student].flags) for student in GUARD_ATTACKS}
    assert "the grader's runner of test cells was replaced" in reasons["runner"]
    assert "what the grader's own run() uses was replaced" in reasons["closure"]
    assert "the cell that ran was not the test cell" in reasons["forger"]
    # The racer is a race: when its thread wins, the guard sees the change while the test ran; when
    # it loses, nothing changed and the code scan still names its tool. Either way: 0 and flagged.
    assert ("while it ran, something changed: netkit.checks.byteorder.check_" in reasons["racer"]
            or "sys._current_frames" in reasons["racer"]), reasons["racer"]
    assert "kernel.control_handlers" in reasons["forger2"]


@pytest.mark.xfail(strict=True, reason="known limit (README, 'what the guard cannot see'): code that replaces both "
                   "the guard's control handler and its runner, signing with the guard's own function, is only flagged")
def test_a_guard_replaced_whole_earns_nothing(attacked):
    assert attacked["rows"]["forger2"].score == 0


def test_the_sandbox_shows_nothing_outside_its_job(attacked):
    course = attacked["course"]
    text = autograded_text(course, "looker")
    assert SECRET not in text and "gradebook" not in text and str(course) + "/" not in text
    (job,) = [line.split()[0] for line in lines(course, "looker", "job:")]
    # Descriptors: the kernel's own sockets, pipes and its stderr log beside the job folder, nothing of the grader's.
    fds = lines(course, "looker", "fds:")[0]
    paths = [p.strip(" '") for p in fds.strip("[]").split(",") if p.strip(" '").startswith("/")]
    assert all(p.startswith(job) for p in paths), paths
    assert lines(course, "looker", "pids:") == ["[1, 2]"]  # bwrap and the kernel: no process outside its namespace
    assert lines(course, "looker", "abstract sockets:") == ["[]"]
    assert lines(course, "looker", "another job:") == [job]  # only its own: other jobs' sockets are not in its /tmp
    assert lines(course, "looker", "symlink:") == []  # it could leave symlinks to the course folder ...
    assert (course / "gradebook.db").is_file() and (course / "grades.csv").is_file()  # ... which nobody followed


def test_the_sandbox_tmp_is_capped(attacked):
    course = attacked["course"]
    assert lines(course, "filler", "stopped:") == ["/tmp No space left on device", "/dev/shm No space left on device"]
    written = ast.literal_eval(lines(course, "filler", "written MiB:")[0])
    assert all(500 <= mib <= 512 for mib in written.values()), written  # c.RobustExecute.tmp_size_limit: 512 MiB


def test_exits_and_a_cleared_error_earn_nothing(attacked):
    row = attacked["rows"]["exits"]
    assert row.score == 0, row.cells
    assert not any(f.kind == "kernel restarted" for f in row.flags)


def test_busy_processes_cost_the_solution_graded_beside_them_nothing(attacked):
    rows = attacked["rows"]
    assert "spinning" in autograded_text(attacked["course"], "spinner")
    assert rows["solution"].score == rows["solution"].max_score > 0
    assert rows["solution"].flags == []
    deadline = time.monotonic() + 10
    while living(MARKER) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert living(MARKER) == []


def test_filling_the_job_folder_stops_at_its_cap(attacked):
    course, row = attacked["course"], attacked["rows"]["diskfiller"]
    assert "wrote more than 1024 MiB of files, so the kernel was stopped" in autograded_text_all(course, "diskfiller")
    assert int(lines(course, "diskfiller", "job folder MiB:")[-1]) < 4000  # stopped long before it wrote it all
    assert any(f.kind == "kernel restarted" for f in row.flags), row.flags
    assert row.score == 0


def autograded_text_all(course, student):
    """Stream text and error messages of a student's autograded notebook."""
    nb = nbformat.read(course / "autograded" / student / LAB / f"{LAB}.ipynb", as_version=4)
    return "".join(o.get("text", "") + o.get("evalue", "") for c in nb.cells for o in c.get("outputs", []))


def test_a_flood_of_output_is_cut_and_earns_nothing(attacked):
    course, row = attacked["course"], attacked["rows"]["flooder"]
    assert row.score == 0
    assert (course / "autograded" / "flooder" / LAB / f"{LAB}.ipynb").stat().st_size < 2**20
    assert (course / "feedback" / "flooder" / LAB / f"{LAB}.html").stat().st_size < 2**20


def test_the_looker_earns_nothing(attacked):
    assert attacked["rows"]["looker"].score == 0  # a notebook it wrote under the graded one's name is never read
