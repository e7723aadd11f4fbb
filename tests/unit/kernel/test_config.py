"""Configuration errors name the key at fault."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.kernel.config import load_config, parse_config
from bot.kernel.errors import ConfigError


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"bot": {"databse": "x.db"}}, "unknown key bot.databse"),
        ({"bot": {"timezone": "Mars/Olympus"}}, "bot.timezone"),
        ({"bot": {"timezone": 5}}, "bot.timezone must be a string"),
        ({"bot": {"default_electorate": "all"}}, "bot.default_electorate"),
        ({"console": {"organisers": "chair"}}, "console.organisers must be a list"),
        ({"telegram": {"webhook_url": "https://x"}}, "telegram.token is missing"),
        ({"matrix": {"homeserver": "https://m"}}, "matrix.user_id is missing"),
        ({"matrix": {"homeserver": "https://m", "user_id": "@q:m"}}, "matrix.password or matrix.access_token"),
        ({"telegram": {"token": "t", "webhook_port": 0}}, "telegram.webhook_port must be at least 1"),
        ({"colour": "red"}, "unknown key colour"),
        ({"bot": 3}, "bot must be a table"),
        ({"telegram": {"token": "not-a-token"}}, "telegram.token (or QUORUM_TELEGRAM_TOKEN) is not a bot token"),
        ({"telegram": {"token": "123456789:short"}}, "is not a bot token"),
        ({"telegram": {"token": "AAH" + "x" * 35}}, "is not a bot token"),
        ({"telegram": {"token": "123456789:" + "A" * 34 + "/"}}, "is not a bot token"),
    ],
)
def test_config_errors_name_the_key(data: dict, fragment: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        parse_config(data)


def test_secrets_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "123456789:AAH" + "x" * 32
    monkeypatch.setenv("QUORUM_TELEGRAM_TOKEN", token)
    monkeypatch.setenv("QUORUM_SECRET", "s3cret")
    config = parse_config({})
    assert config.telegram is not None and config.telegram.token == token
    assert config.secret == "s3cret"


def test_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("QUORUM_TELEGRAM_TOKEN", "QUORUM_MATRIX_PASSWORD", "QUORUM_MATRIX_ACCESS_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    config = load_config(Path(__file__).resolve().parents[3] / "config.example.toml")
    assert config.telegram is None and config.matrix is None  # tokens are left empty
    assert config.timezone == "Europe/London"


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "q.toml"
    bad.write_text("[bot\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_the_matrix_encryption_store_lives_beside_the_database_unless_set(tmp_path: Path) -> None:
    account = {"homeserver": "https://m", "user_id": "@q:m", "password": "p"}
    source = tmp_path / "quorum.toml"
    config = parse_config({"bot": {"database": "data/q.db"}, "matrix": account}, source)
    assert config.matrix is not None and config.matrix.store == tmp_path / "data" / "q.db.matrix-keys"
    config = parse_config({"matrix": {**account, "store": "keys"}}, source)
    assert config.matrix is not None and config.matrix.store == tmp_path / "keys"


def test_the_matrix_accounts_lease_is_a_duration(tmp_path: Path) -> None:
    account = {"homeserver": "https://m", "user_id": "@q:m", "password": "p"}
    config = parse_config({"matrix": account}, tmp_path / "quorum.toml")
    assert config.matrix is not None and config.matrix.lease == timedelta(seconds=30)
    config = parse_config({"matrix": {**account, "lease": "10s"}}, tmp_path / "quorum.toml")
    assert config.matrix is not None and config.matrix.lease == timedelta(seconds=10)
    with pytest.raises(ConfigError, match="matrix.lease"):
        parse_config({"matrix": {**account, "lease": "soon"}}, tmp_path / "quorum.toml")


def test_a_postgresql_address_selects_the_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "quorum.toml"
    url = "postgresql://quorum:pw@db.example.org:5432/quorum"
    config = parse_config({"bot": {"database": url}}, source)
    assert config.database_url == url
    assert config.database == tmp_path / "quorum"  # where the key file goes: quorum.key beside the config
    assert parse_config({"bot": {"database": "q.db"}}, source).database_url is None
    monkeypatch.setenv("QUORUM_DATABASE", "postgres://db/quorum")
    assert parse_config({}, source).database_url == "postgres://db/quorum"
