"""Shared pytest set-up: every test must leave no socket, thread or child process behind."""

import pytest

from netkit.leaks import assert_no_leaks, snapshot


@pytest.fixture(scope="session", autouse=True)
def process_wide_state():
    """Create up front what libraries keep for the whole process, so no test is blamed for it."""
    from jupyter_core.utils import ensure_event_loop

    ensure_event_loop()  # nbclient's cached event loop, with its self-pipe socket pair


@pytest.fixture(autouse=True)
def no_leaks():
    """Snapshot before each test; after it, wait briefly and fail naming anything left behind."""
    before = snapshot()
    yield
    assert_no_leaks(before)


@pytest.fixture(scope="session")
def sample_class(tmp_path_factory):
    """The sample class (``grader.samples``), built once a session into a temporary folder: its path."""
    from grader.samples import make

    dest = tmp_path_factory.mktemp("sample-class") / "samples"
    make(dest)
    return dest
