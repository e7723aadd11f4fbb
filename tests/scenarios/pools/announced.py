"""What the pool tests share: checking a draw the way the room is told to."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from bot.engines.sortition.cli import main as sortition_main
from tests.helpers import Chat


async def verify_announced(chat: Chat, tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str) -> str:
    """Run the check command the bot announced in OUT, on the published file; what it printed."""
    command = re.findall(r"quorum sortition verify (.+)", out)[-1].strip()
    path = tmp_path / "pool-1.json"
    path.write_text((await chat.query("SELECT document FROM pools"))[0][0], encoding="utf-8")
    args = shlex.split(command)
    args[0] = str(path)
    capsys.readouterr()
    assert sortition_main(["verify", *args]) == 0, capsys.readouterr().err
    return capsys.readouterr().out
