"""The course's grader: nbgrader set-up, robust execution, class-scale autograding and the report."""

import os
import sys

# nbgrader runs `alembic` as a command to create its gradebook: find the one beside this Python.
_BIN = os.path.dirname(sys.executable)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")
