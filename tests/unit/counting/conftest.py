"""Fixtures for the counting tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from counting_helpers import elections_dir


@pytest.fixture(scope="session")
def elections() -> Path:
    path = elections_dir()
    if not path.is_dir():
        message = f"real election data not found at {path} (set QUORUM_ELECTIONS_DIR)"
        if os.environ.get("CI"):  # CI always has the data beside the clone: its absence is a failure
            pytest.fail(message)
        pytest.skip(message)
    return path.resolve()
