"""The README's plain-nbgrader commands, run as written in a fresh clone with no environment activated.

The clone is of this working tree (its tracked files as they are now). Its ``.venv`` is a link
to this one, standing in for the README's ``make .venv/.installed`` (which would download every
package again); that environment's editable install imports ``grader`` and ``netkit`` from this
tree, which the clone's files equal.
"""

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.paths import REPO

# runs nbgrader's commands in a clone (make test, not make quick); pytest-timeout's limit is for a hang, and a busy machine grades slowly
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

VENV = Path(sys.prefix)
BLOCK = re.compile(r"Plain nbgrader works.*?```bash\n(?P<commands>.*?)```", re.S)


def readme_commands():
    return BLOCK.search((REPO / "README.md").read_text(encoding="utf-8"))["commands"].splitlines()


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    if not (VENV / "bin" / "nbgrader").exists():
        pytest.skip("the tests do not run in the project's virtual environment")
    dest = tmp_path_factory.mktemp("fresh") / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(dest)], check=True)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    for name in filter(None, tracked.split("\0")):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, dest / name)
    (dest / ".venv").symlink_to(VENV, target_is_directory=True)
    return dest


def bare_env():
    """What a new terminal has: no virtual environment on PATH or in the environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                                  if p and not Path(p).resolve().is_relative_to(VENV.resolve())) or "/usr/bin:/bin"
    return env


@pytest.fixture(scope="module")
def ran(clone):
    lines = readme_commands()
    before = git_status(clone)
    runnable = [line for line in lines if "jupyter lab" not in line]  # the server would run until stopped
    assert len(runnable) == len(lines) - 1
    script = "set -e\n" + "\n".join(runnable) + "\n"
    done = subprocess.run(["bash", "-c", script], cwd=clone, env=bare_env(), capture_output=True, text=True, timeout=600)
    return clone, done, before


def git_status(folder):
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=folder,
                          capture_output=True, text=True, check=True).stdout


def test_every_command_succeeds(ran):
    _, done, _ = ran
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    log = done.stdout + done.stderr
    assert "| ERROR]" not in log, log[-3000:]


def test_an_untouched_notebook_raises_no_checksum_warnings(ran):
    _, done, _ = ran
    assert "has changed" not in done.stdout + done.stderr


def test_export_writes_the_grades_into_course_and_leaves_no_stray_file(ran):
    clone, _, before = ran
    with open(clone / "course" / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["student_id"], r["assignment"]) for r in rows] == [("alice", "04-tcp")]
    assert rows[0]["score"] == rows[0]["max_score"] and float(rows[0]["score"]) > 0
    assert git_status(clone) == before  # only the working tree's own changes (and the .venv link)


def test_the_formgrader_sees_the_submission(ran):
    clone, _, before = ran
    probe = ("from nbgrader.apps import NbGraderAPI\n"
             "from traitlets.config.loader import PyFileConfigLoader\n"
             "api = NbGraderAPI(config=PyFileConfigLoader('nbgrader_config.py', path='.').load_config())\n"
             "info = api.get_assignment('04-tcp')\n"
             "print(info['num_submissions'], [s['autograded'] for s in api.get_submissions('04-tcp')])\n")
    done = subprocess.run([str(clone / ".venv" / "bin" / "python"), "-c", probe], cwd=clone / "grader",
                          env=bare_env(), capture_output=True, text=True, timeout=120)
    assert done.stdout.split("\n")[-2] == "1 [True]", done.stdout + done.stderr
    assert (clone / ".venv" / "bin" / "jupyter").exists()
