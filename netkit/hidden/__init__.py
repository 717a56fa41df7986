"""The hidden checks: what hidden test cells run, one module per notebook. Instructor only.

``python -m grader publish`` never copies this folder, so the student's netkit has only
the visible checks (``netkit.checks``). Hidden test cells import from here inside their
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` region, which nbgrader strips from
the released notebook, e.g. ``from netkit.hidden.tcp import check_recv_exactly_hidden``.

Each ``check_x_hidden`` runs the harder cases of exercise x, reusing the drivers of the
visible module ``netkit.checks.<topic>`` (the student's to read). This package may import
from ``netkit.checks``; nothing outside it may import from ``netkit.hidden``.
"""
