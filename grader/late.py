"""The course's late-submission penalty, as an nbgrader plugin (``c.AssignLatePenalties.plugin_class``).

A late submission loses ``per_day`` of its score for each day or part of a day past the due
date (the assignment's ``duedate`` in the gradebook: ``python -m grader due`` or ``nbgrader
db assignment add NAME --duedate=...``), at most all of it. ``per_day = 1`` is nbgrader's
"zero" method; ``per_day = 0`` charges nothing (lateness is still shown in grades.csv).
"""

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float


class LatePenalty(LateSubmissionPlugin):
    per_day = Float(0.1, help="share of the score lost per started day late (0 to 1)").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        if total_seconds_late <= 0 or not score:
            return None
        days = math.ceil(total_seconds_late / 86400)
        return round(min(score, score * self.per_day * days), 2)
