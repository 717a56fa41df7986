"""nbgrader's OverwriteCells, without its false alarm on test cells with hidden tests.

The released version of a test cell lacks its hidden tests, so its checksum can never equal
the gradebook's (taken before the hidden tests were cleared): stock nbgrader warns
"Attribute 'checksum' for cell ... has changed!" for every such cell of an untouched
notebook. Here a cell whose source is exactly the released one (the gradebook's source with
the hidden tests cleared, as generate_assignment clears them) gets its hidden tests back
silently; a cell the student really edited is still restored with nbgrader's warning.
"""

import copy

from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.preprocessors import OverwriteCells as StockOverwriteCells
from nbgrader.api import MissingEntry

from . import cells


class OverwriteCells(StockOverwriteCells):
    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cells.grade_id(cell)
        if grade_id is not None:
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source_cell = None  # the stock preprocessor says so
            if source_cell is not None and source_cell.locked and cell.source != source_cell.source:
                released = copy.deepcopy(cell)
                released.source = source_cell.source
                ClearHiddenTests(parent=self.parent)._remove_hidden_test_region(released)
                if released.source == cell.source:
                    cell.source = source_cell.source
        return super().preprocess_cell(cell, resources, cell_index)
