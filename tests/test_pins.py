"""environment.yml (what Binder builds) pins exactly what pyproject.toml pins."""

import re
import tomllib

from grader.paths import REPO


def pins(lines):
    found = {}
    for line in lines:
        match = re.fullmatch(r"\s*(?:-\s*)?\"?([A-Za-z0-9_.-]+)==([^\s\",]+)\"?,?\s*", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def test_environment_yml_pins_equal_pyproject_pins():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    ours = pins(project["dependencies"])
    binder = pins((REPO / "environment.yml").read_text().splitlines())
    assert ours, "pyproject.toml pins nothing"
    assert binder == ours, f"environment.yml and pyproject.toml disagree: {binder} != {ours}"


def test_environment_yml_is_python_311():
    assert re.search(r"^\s*-\s*python=3\.11\s*$", (REPO / "environment.yml").read_text(), re.M)
