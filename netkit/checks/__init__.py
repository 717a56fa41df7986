"""The checks that notebook test cells call, one module per notebook.

Each check takes the student's function (or a factory that starts the student's
server), drives it over loopback against real and misbehaving peers, and either
returns quietly or raises ``CheckFailed`` with a message a student can act on.
The checks of the hidden tests are not here: they are the instructor's (``netkit.hidden``).
"""
