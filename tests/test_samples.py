"""The sample class's expectations, declared in grader/samples.py, and where the class may be written.

The expectations are checked against the notebooks' points read here straight from their JSON,
so a notebook that gains or loses a point moves them, and a WRONG entry that names the wrong
cells shows. Grading the class and comparing is tests/test_grading.py's (slow) work.
"""

import json

import pytest

from grader.__main__ import main
from grader.paths import GRADER, NOTEBOOKS, assignments
from grader.samples import expected


def notebook_points(name):
    """{grade_id: points} of the graded cells of the source notebook ``name``, read from its JSON."""
    nb = json.loads((NOTEBOOKS / name / f"{name}.ipynb").read_text(encoding="utf-8"))
    graded = (c["metadata"].get("nbgrader", {}) for c in nb["cells"])
    return {m["grade_id"]: m.get("points", 0) for m in graded if m.get("grade")}


def test_a_blank_notebook_earns_nothing_and_is_flagged_unchanged():
    full = sum(notebook_points("03-byte-order").values())
    assert full > 0
    assert expected()["blank"]["03-byte-order"] == {"score": 0, "max_score": full, "flags": ["unchanged"]}


def test_a_wrong_answer_loses_exactly_the_points_of_the_checks_it_fails():
    own = notebook_points("04-tcp")
    lost = own["test_messages"] + own["test_messages_hidden"]
    assert lost > 0
    assert expected()["wrong"]["04-tcp"] == {"score": sum(own.values()) - lost, "max_score": sum(own.values()), "flags": []}


def test_every_notebook_has_a_full_solution_a_blank_and_a_logging_sample():
    table = expected()
    for name in assignments():
        full = sum(notebook_points(name).values())
        assert table["solution"][name] == {"score": full, "max_score": full, "flags": []}
        assert table["stderr"][name] == {"score": full, "max_score": full, "flags": []}
        assert table["blank"][name]["score"] == 0


def test_expectations_follow_the_assignments_asked_for():
    table = expected(["03-byte-order"])
    assert {name for per in table.values() for name in per} == {"03-byte-order"}
    assert set(table) == {"solution", "blank", "stderr", "wrong", "tamper", "messy"}


@pytest.mark.parametrize("where", ["inside grader", "inside notebooks", "not empty", "a file"])
def test_the_samples_command_refuses_a_place_it_must_not_write(where, tmp_path, capsys):
    dest = {"inside grader": GRADER / "samples", "inside notebooks": NOTEBOOKS / "samples",
            "not empty": tmp_path, "a file": tmp_path / "file"}[where]
    (tmp_path / "file").write_text("mine\n")
    assert main(["samples", str(dest)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(dest.resolve()) in err
    assert ("never committed" in err) == where.startswith("inside")
    assert not (GRADER / "samples").exists() and not (NOTEBOOKS / "samples").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_the_samples_command_replaces_a_class_it_wrote_but_nothing_else(tmp_path, monkeypatch, capsys):
    """Running the README's block twice must work: a folder of sample students is a class written before."""
    lab = "03-byte-order"  # released from its source notebook: the release itself is not what is tested
    monkeypatch.setattr("grader.release.generate", lambda course, time_cells: {lab: NOTEBOOKS / lab / f"{lab}.ipynb"})
    dest = tmp_path / "samples"
    (dest / "solution" / "03-byte-order").mkdir(parents=True)
    (dest / "blank").mkdir()
    assert main(["samples", str(dest)]) == 0
    assert (dest / "solution" / lab / f"{lab}.ipynb").is_file() and (dest / "tamper" / lab).is_dir()
    (dest / "alice").mkdir()
    assert main(["samples", str(dest)]) == 2
    assert "neither an empty folder nor a sample class" in capsys.readouterr().err
    assert (dest / "alice").is_dir()
