"""Feedback without the code of hidden tests: their results and messages only.

Stock nbgrader's feedback shows every test cell as it was graded, hidden tests included
(nbgrader issue #1363), so one feedback page would give the whole class the hidden
cases. ``HideHiddenTests`` runs first among ``GenerateFeedback``'s preprocessors
(``grader/nbgrader_config.py``, so plain ``nbgrader generate_feedback`` uses it too): in
every graded test cell holding a hidden-test region (autograding restored the cell from
the gradebook, so its source is the instructor's, never the student's) it replaces the
source with the cell's first line (its docstring, which says what the hidden tests try)
and a note, and removes from error tracebacks the frames that quote the cell's code.
Outputs, messages and points stay.
"""

import re

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

NOTE = "# The code of the hidden tests is not shown; their result and messages are below."
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class HideHiddenTests(NbGraderPreprocessor):
    """Replace the source of hidden test cells with their docstring line and a note, keeping outputs."""

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS", help="The delimiter marking the beginning of hidden tests "
                                   "(the same as ClearHiddenTests')").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell) and self.begin_test_delimeter in cell.source:
            code = [line.strip() for line in cell.source.splitlines() if line.strip()]
            first = cell.source.lstrip().splitlines()[0]
            cell.source = (first + "\n" if first.startswith(('"""', "'''", "#")) else "") + NOTE
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = self.without_code(output, code)
        return cell, resources

    @staticmethod
    def without_code(output, code):
        """The traceback's entries that quote none of the cell's lines (IPython's 'Cell In[..]' frames do)."""
        kept = [entry for entry in output.get("traceback", [])
                if "Cell In[" not in ANSI.sub("", entry) and not any(line in ANSI.sub("", entry) for line in code
                                                                     if len(line) > 3)]
        return kept or [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
