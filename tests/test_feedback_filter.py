"""grader.feedback_filter: a hidden test cell's code leaves the feedback, its results and messages stay."""

import nbformat

from grader.feedback_filter import NOTE, HideHiddenTests

HIDDEN = '''"""Hidden tests: n = 0, random piece sizes."""
from netkit.hidden.tcp import check_recv_exactly_hidden
check_recv_exactly(recv_exactly)  # the visible cases first
### BEGIN HIDDEN TESTS
check_recv_exactly_hidden(recv_exactly)
### END HIDDEN TESTS'''


def graded_cell(source, outputs):
    cell = nbformat.v4.new_code_cell(source, outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 2,
                                 "grade_id": "t", "schema_version": 3}
    return cell


def run(cell):
    nb = nbformat.v4.new_notebook(cells=[cell])
    HideHiddenTests().preprocess(nb, {})
    return nb.cells[0]


def test_a_hidden_test_cell_keeps_its_docstring_line_and_outputs_not_its_code():
    failed = nbformat.v4.new_output("error", ename="CheckFailed", evalue="recv_exactly(sock, 0) hung",
                                    traceback=["\x1b[0;31mCheckFailed\x1b[0m: recv_exactly(sock, 0) hung",
                                               "expected: b''"])
    printed = nbformat.v4.new_output("stream", name="stdout", text="tried 40 cases\n")
    cell = run(graded_cell(HIDDEN, [printed, failed]))
    assert cell.source == '"""Hidden tests: n = 0, random piece sizes."""\n' + NOTE
    assert cell.outputs[0] == printed
    assert cell.outputs[1]["traceback"] == failed["traceback"] and cell.outputs[1]["evalue"] == failed["evalue"]


def test_traceback_frames_that_quote_the_hidden_code_are_dropped():
    frame = ("\x1b[0;31mNameError\x1b[0m Traceback (most recent call last)\nCell In[7], line 5\n"
             "\x1b[1;32m----> 5\x1b[0m check_recv_exactly_hidden(recv_exactly)")
    error = nbformat.v4.new_output("error", ename="NameError", evalue="name 'recv_exactly' is not defined",
                                   traceback=[frame, "\x1b[0;31mNameError\x1b[0m: name 'recv_exactly' is not defined"])
    cell = run(graded_cell(HIDDEN, [error]))
    assert cell.outputs[0]["traceback"] == ["\x1b[0;31mNameError\x1b[0m: name 'recv_exactly' is not defined"]
    only_frames = nbformat.v4.new_output("error", ename="NameError", evalue="x", traceback=[frame])
    assert run(graded_cell(HIDDEN, [only_frames])).outputs[0]["traceback"] == ["NameError: x"]


def test_visible_test_cells_and_student_cells_are_untouched():
    visible = graded_cell("check_recv_exactly(recv_exactly)", [])
    assert run(visible).source == "check_recv_exactly(recv_exactly)"
    student = nbformat.v4.new_code_cell("# BEGIN HIDDEN TESTS in a student's own cell")
    assert run(student).source == "# BEGIN HIDDEN TESTS in a student's own cell"
