"""grader.deadlines: a deadlines file that cannot be read is reported, never taken for an empty one."""

import pytest

from grader import __main__ as grader_main
from grader import deadlines


def test_saved_tables_load_back_and_a_missing_file_is_no_tables(tmp_path):
    path = tmp_path / "course" / "deadlines.json"
    assert deadlines.load(path) == {}
    deadlines.save({"04-tcp": {"id:echo": 0.012}}, path)
    assert deadlines.load(path) == {"04-tcp": {"id:echo": 0.012}}


@pytest.mark.parametrize("text, why", [
    ('{"04-tcp": {"id:echo": 0.0', "Expecting"),  # cut short
    ("", "Expecting value"),
    ('["04-tcp"]', "it is not {assignment: {cell: seconds}}"),
    ('{"04-tcp": {"id:echo": "fast"}}', "it is not {assignment: {cell: seconds}}"),
])
def test_a_corrupt_file_names_itself_and_says_what_to_do(tmp_path, text, why):
    path = tmp_path / "deadlines.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(deadlines.DeadlinesFileError) as raised:
        deadlines.load(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: the solution's cell times cannot be read (")
    assert why in message
    assert "Delete the file and run `python -m grader release` again" in message


def test_the_tool_prints_the_message_instead_of_a_traceback(tmp_path, monkeypatch, capsys):
    (tmp_path / "deadlines.json").write_text("{oops", encoding="utf-8")
    monkeypatch.setattr("grader.release.subprocess.run", lambda *a, **k: type("Done", (), {"returncode": 0})())
    assert grader_main.main(["--course", str(tmp_path), "release"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'deadlines.json'}: the solution's cell times cannot be read")
