"""Fixtures for the counting tests.

The real elections shipped in tests/data/elections are always counted (test_published_results.py).
The larger set - 1,100 Scottish wards and more - lives outside the repository and is optional:
its tests run when it is found, at $QUORUM_ELECTIONS_DIR or at ../shared/data/elections beside
the repository, and are skipped, saying so, when it is not. Naming a directory in
$QUORUM_ELECTIONS_DIR that does not exist is a mistake, and fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from counting_helpers import elections_dir


@pytest.fixture(scope="session")
def elections() -> Path:
    path = elections_dir()
    if not path.is_dir():
        if os.environ.get("QUORUM_ELECTIONS_DIR"):
            pytest.fail(f"QUORUM_ELECTIONS_DIR names {path}, which is not a directory")
        pytest.skip(
            f"the optional large set of real elections is not at {path}; put it there or set "
            "QUORUM_ELECTIONS_DIR to run these too (the elections in tests/data were counted)"
        )
    return path.resolve()
