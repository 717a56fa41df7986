"""Every notebook runs: the solution version passes all its tests, and the student
version that nbgrader generates runs without hanging, each exercise failing with its check's message."""

import json

import pytest

from grader.paths import NOTEBOOKS, assignments
from grader.release import generate
from grader.notebook_run import blank_version_problems, describe, errors, execute, is_test_cell, stderr_text

pytestmark = pytest.mark.slow  # runs every notebook (make test, not make quick)

NAMES = assignments()


def source(name):
    return NOTEBOOKS / name / f"{name}.ipynb"


@pytest.fixture(scope="session")
def student_versions(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("course"), time_cells=False)


@pytest.mark.parametrize("name", NAMES)
def test_source_is_committed_without_outputs(name):
    nb = json.loads(source(name).read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]
    assert not dirty, f"{name}: cells {dirty} have outputs; clear them before committing"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_solution_runs_with_every_test_passing(name):
    nb, _ = execute(source(name), allow_errors=True)
    failed = {describe(c): errors(c)[0]["evalue"][:500] for c in nb.cells if errors(c)}
    assert not failed, f"{name}: cells failed in the solution version: {failed}"
    noisy = {describe(c): stderr_text(c)[:300] for c in nb.cells if is_test_cell(c) and stderr_text(c)}
    assert not noisy, f"{name}: test cells wrote to stderr (nbgrader would give them 0 points): {noisy}"


@pytest.mark.parametrize("name", NAMES)
def test_student_version_fails_each_exercise_with_its_message(name, student_versions):
    nb, _ = execute(student_versions[name], allow_errors=True)
    assert not blank_version_problems(nb), f"{name}: {blank_version_problems(nb)}"
