"""The course's grader: nbgrader set-up, robust execution, class-scale autograding and the report."""
