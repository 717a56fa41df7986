"""The grading policy's numbers, shared by netkit's checks and the grader: a hang costs its deadline once.

In a grading run the grader sets ``GRADING_ENV`` to "1" in the kernel. From then on, code that
has run past a deadline is not given the full deadline again: netkit's checks shorten the
runner's deadlines by ``HUNG_SCALE`` (``netkit.checks._base``), and the grader shortens a cell's
deadline the same way (``grader.deadlines`` for the solution's cells, ``grader.execute`` for a
student's scratch cells). The grader imports these from here, never the reverse: the student
edition ships netkit alone.
"""

#: The environment variable that marks a grading run ("1") in the kernel.
GRADING_ENV = "NETKIT_GRADING"

#: Once code has hung, later deadlines are this share of what they were.
HUNG_SCALE = 0.25
