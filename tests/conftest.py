"""Shared fixtures."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app.runtime import LIBRARIES, configure_logging
from tests.helpers import Chat
from tests.peers.postgresql import use_postgresql

# The real Synapse homeserver for the Matrix tests: started once per session, on first use.
# The local Telegram Bot API server for the Telegram tests: one per test, started in milliseconds.
# The PostgreSQL server: once per session, on first use (QUORUM_TEST_DATABASE=postgresql, or a
# test that asks for it).
pytest_plugins = ["tests.peers.synapse.fixtures", "tests.peers.telegram.fixtures", "tests.peers.postgresql.fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "not_on_postgresql(why): left out of a PostgreSQL run (it reads the SQLite file itself, or "
        "is not yet stable there), saying why")
    config.addinivalue_line(
        "markers", "postgresql_run(why): runs in the PostgreSQL run only (several processes on one database), "
        "saying why; named in the output of a SQLite run, never skipped silently")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a PostgreSQL run, leave out the tests marked not_on_postgresql, and on a SQLite run
    those marked postgresql_run (each named with its reason in the output, never skipped
    silently); everything else runs on the backend of the run."""
    marker, said = ("not_on_postgresql", "not on PostgreSQL") if use_postgresql() else (
        "postgresql_run", "in the PostgreSQL run")
    left_out = [item for item in items if item.get_closest_marker(marker)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker(marker)]
        for item in left_out:
            why = item.get_closest_marker(marker).args[0]  # type: ignore[union-attr]
            print(f"\n{said}: {item.nodeid}: {why}")


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    c = await Chat.start(tmp_path)
    try:
        yield c
    finally:
        await c.stop()


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """What ``quorum -v`` would log while the test runs (every logger of the bot at DEBUG, the
    libraries' as the command sets them)."""
    root = logging.getLogger()
    saved = root.level, list(root.handlers), {name: logging.getLogger(name).level for name in LIBRARIES}
    stream = io.StringIO()
    configure_logging(verbose=True, stream=stream)
    try:
        yield stream
    finally:
        level, handlers, levels = saved
        root.setLevel(level)
        root.handlers[:] = handlers
        for name, was in levels.items():
            logging.getLogger(name).setLevel(was)
