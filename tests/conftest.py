"""Shared pytest set-up: every test must leave no socket, thread or child process behind."""

import pytest

from netkit.leaks import assert_no_leaks, snapshot


@pytest.fixture(autouse=True)
def no_leaks():
    """Snapshot before each test; after it, wait briefly and fail naming anything left behind."""
    before = snapshot()
    yield
    assert_no_leaks(before)
