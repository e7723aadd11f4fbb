"""Configuration from TOML, with secrets optionally from the environment.

Every problem names the key at fault (``telegram.token``), because the person reading the
message is a volunteer editing a file, not a developer reading a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.kernel.durations import Span, parse_duration, parse_span
from bot.kernel.errors import ConfigError


class Section:
    """Typed access to one TOML table that remembers which keys were read, so unknown
    (usually misspelt) keys can be reported instead of silently ignored."""

    def __init__(self, name: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{name} must be a table, like [{name}]")
        self.name = name
        self.data: dict[str, Any] = data
        self._read: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.name}.{key}" if self.name else key

    def _get(self, key: str, env: str | None) -> Any:
        self._read.add(key)
        if env and os.environ.get(env):
            return os.environ[env]
        return self.data.get(key)

    def str(self, key: str, default: str | None = None, *, env: str | None = None) -> str | None:
        value = self._get(key, env)
        if value is None:
            return default
        if not isinstance(value, str):
            raise ConfigError(f"{self._key(key)} must be a string (in quotes)")
        return value

    def int(self, key: str, default: int, *, minimum: int | None = None) -> int:
        value = self._get(key, None)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{self._key(key)} must be a whole number")
        if minimum is not None and value < minimum:
            raise ConfigError(f"{self._key(key)} must be at least {minimum}")
        return value

    def bool(self, key: str, default: bool) -> bool:
        value = self._get(key, None)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ConfigError(f"{self._key(key)} must be true or false")
        return value

    def list(self, key: str) -> list[str]:
        value = self._get(key, None)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self._key(key)} must be a list of strings, like [\"a\", \"b\"]")
        return list(value)

    def section(self, key: str) -> Section:
        self._read.add(key)
        return Section(self._key(key), self.data.get(key, {}))

    def check_unknown(self) -> None:
        unknown = sorted(set(self.data) - self._read)
        if unknown:
            raise ConfigError(f"unknown key {self._key(unknown[0])} (check its spelling)")


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    base_url: str | None = None


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str
    user_id: str
    password: str | None = None
    access_token: str | None = None
    device_id: str | None = None
    organiser_power_level: int = 50
    allowed_inviters: tuple[str, ...] = ()
    store: Path | None = None
    """The end-to-end encryption store (device keys, Olm and Megolm sessions): a directory
    beside the database unless set. Losing it means new sessions (and a new device)."""
    lease: timedelta = timedelta(seconds=30)
    """With several processes on one database: how long the account's sync waits for another
    process when the one running it dies (its lease's length)."""


def matrix_store_beside(database: Path) -> Path:
    """Where the Matrix encryption store lives by default: next to the database it belongs to."""
    return database.with_name(database.name + ".matrix-keys")


@dataclass(frozen=True)
class WebConfig:
    """The auditor's pages, /healthz and /metrics: served only when configured."""

    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None  # where people reach the pages (behind a proxy): links use it


@dataclass(frozen=True)
class Config:
    database: Path = Path("quorum.db")
    # A PostgreSQL server's connection string (bot.database = "postgresql://…"); None: the SQLite
    # file DATABASE. With a server, DATABASE names where the files kept beside it go (the key).
    database_url: str | None = None
    secret: str | None = None
    timezone: str = "UTC"
    language: str = "en"  # what rooms and members read until they choose (/language)
    default_electorate: str = "room"
    members_may_poll: bool = False
    wal_checkpoints: bool = True  # false when a replicator (Litestream) does the checkpoints
    console_room: str = "main"
    console_organisers: tuple[str, ...] = ("chair",)
    organisers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    telegram: TelegramConfig | None = None
    matrix: MatrixConfig | None = None
    web: WebConfig | None = None
    source: Path | None = None
    reminder_offsets: tuple[Span, ...] = (Span(0, timedelta(hours=24)), Span(0, timedelta(hours=1)))
    group_warning: Span | None = Span(0, timedelta(hours=1))
    commands_burst: int = 20  # what one person may send at once …
    commands_per_minute: int = 120  # … and then at most this often (more is answered "slow down")
    charts: bool = True  # a result comes with a chart (rooms can turn it off: /charts off)
    chart_font: str | None = None  # a .ttf file; None: DejaVu Sans where the system has it

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


BOT_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{30,64}")
"""A Telegram bot token as BotFather gives it: the bot's numeric id, a colon, then the secret
(35 characters of letters, digits, ``-`` and ``_`` today)."""


def _telegram(sec: Section) -> TelegramConfig | None:
    token = sec.str("token", env="QUORUM_TELEGRAM_TOKEN")
    webhook_url = sec.str("webhook_url")
    listen = sec.str("webhook_listen", "127.0.0.1") or "127.0.0.1"
    port = sec.int("webhook_port", 8443, minimum=1)
    base_url = sec.str("base_url")
    sec.check_unknown()
    if not token:
        if set(sec.data) - {"token"}:
            raise ConfigError("telegram.token is missing (or set QUORUM_TELEGRAM_TOKEN)")
        return None
    token = token.strip()  # as checked, so used: a newline from an env file would go into every URL
    if not BOT_TOKEN.fullmatch(token):
        raise ConfigError("telegram.token (or QUORUM_TELEGRAM_TOKEN) is not a bot token: copy the whole token "
                          "BotFather gave you, such as 123456789:AAH… (digits, a colon, then about 35 characters)")
    return TelegramConfig(token, webhook_url, listen, port, base_url)


def _matrix(sec: Section) -> MatrixConfig | None:
    homeserver = sec.str("homeserver", env="QUORUM_MATRIX_HOMESERVER")
    user_id = sec.str("user_id", env="QUORUM_MATRIX_USER_ID")
    password = sec.str("password", env="QUORUM_MATRIX_PASSWORD")
    token = sec.str("access_token", env="QUORUM_MATRIX_ACCESS_TOKEN")
    device_id = sec.str("device_id")
    level = sec.int("organiser_power_level", 50, minimum=0)
    inviters = tuple(sec.list("allowed_inviters"))
    store = sec.str("store")
    lease_text = sec.str("lease")
    lease = _duration(sec, "lease", lease_text) if lease_text else timedelta(seconds=30)
    sec.check_unknown()
    if not (homeserver or user_id or password or token):
        return None
    if not homeserver:
        raise ConfigError("matrix.homeserver is missing (e.g. \"https://matrix.example.org\")")
    if not user_id:
        raise ConfigError("matrix.user_id is missing (e.g. \"@quorum:example.org\")")
    if not (password or token):
        raise ConfigError("matrix.password or matrix.access_token is missing")
    return MatrixConfig(homeserver, user_id, password, token, device_id, level, inviters,
                        Path(store) if store else None, lease)


def _web(sec: Section) -> WebConfig | None:
    listen = sec.str("listen")
    public_url = sec.str("public_url")
    sec.check_unknown()
    if not listen and not public_url:
        return None
    host, port = "127.0.0.1", 8080
    if listen:
        host, sep, port_text = listen.rpartition(":")
        if not sep or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError("web.listen must be HOST:PORT, like \"127.0.0.1:8080\"")
        host, port = host.strip("[]") or "127.0.0.1", int(port_text)
    if public_url is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", public_url):
        raise ConfigError("web.public_url must be the pages' address, like \"https://quorum.example.org\"")
    return WebConfig(host, port, public_url.rstrip("/") if public_url else None)


def _duration(sec: Section, key: str, text: str) -> timedelta:
    """Elapsed time, such as a lease: the machine's time, not a deadline's calendar."""
    value = parse_duration(text)
    if not value:
        raise ConfigError(f"{sec.name}.{key}: {text!r} is not a duration like \"24h\" or \"30m\"")
    return value


def _span(sec: Section, key: str, text: str) -> Span:
    """A length before a deadline, read as the deadline's own options read it (bot/kernel/durations.py):
    "1d" before a close at 13:00 is at 13:00 the day before, whatever the clocks do."""
    value = parse_span(text)
    if value is None or not timedelta(0) < value.length <= timedelta(days=366):
        raise ConfigError(f"{sec.name}.{key}: {text!r} is not a length like \"1d\", \"24h\" or \"30m\" "
                          "(at most a year)")
    return value


def parse_config(data: dict[str, Any], source: Path | None = None) -> Config:
    top = Section("", data)
    botsec = top.section("bot")
    database = botsec.str("database", "quorum.db", env="QUORUM_DATABASE") or "quorum.db"
    secret = botsec.str("secret", env="QUORUM_SECRET")
    timezone = botsec.str("timezone", "UTC") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"bot.timezone: unknown time zone {timezone!r} (e.g. \"Europe/London\")") from None
    language = (botsec.str("language", "en") or "en").strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}", language):
        raise ConfigError(f"bot.language must be a language code such as \"en\", \"pl\" or \"cy\", not {language!r}")
    electorate = botsec.str("default_electorate", "room") or "room"
    if electorate not in ("room", "roll"):
        raise ConfigError("bot.default_electorate must be \"room\" or \"roll\"")
    members_may_poll = botsec.bool("members_may_poll", False)
    wal_checkpoints = botsec.bool("wal_checkpoints", True)
    botsec.check_unknown()

    con = top.section("console")
    console_room = con.str("room", "main") or "main"
    console_organisers = tuple(con.list("organisers") or ["chair"])
    con.check_unknown()

    orgsec = top.section("organisers")
    organisers = {room: tuple(orgsec.list(room)) for room in list(orgsec.data)}

    rem = top.section("reminders")
    offsets = {o.length: o for o in (_span(rem, "offsets", v) for v in (rem.list("offsets") or ["24h", "1h"]))}
    warning_text = rem.str("group_warning", "1h")
    group_warning = _span(rem, "group_warning", warning_text) if warning_text else None
    rem.check_unknown()

    lim = top.section("limits")
    commands_burst = lim.int("commands_burst", 20, minimum=1)
    commands_per_minute = lim.int("commands_per_minute", 120, minimum=1)
    lim.check_unknown()

    cha = top.section("charts")
    charts = cha.bool("enabled", True)
    chart_font = cha.str("font")
    cha.check_unknown()

    telegram = _telegram(top.section("telegram"))
    matrix = _matrix(top.section("matrix"))
    web = _web(top.section("web"))
    top.check_unknown()
    base = source.parent if source else Path.cwd()
    database_url = database if database.startswith(("postgresql://", "postgres://")) else None
    db_path = Path("quorum") if database_url else Path(database)
    if not db_path.is_absolute():
        db_path = base / db_path
    if matrix is not None:
        store_path = matrix.store or matrix_store_beside(db_path)
        matrix = replace(matrix, store=store_path if store_path.is_absolute() else base / store_path)
    return Config(
        database=db_path,
        database_url=database_url,
        secret=secret,
        timezone=timezone,
        language=language,
        default_electorate=electorate,
        members_may_poll=members_may_poll,
        wal_checkpoints=wal_checkpoints,
        console_room=console_room,
        console_organisers=console_organisers,
        organisers=organisers,
        telegram=telegram,
        matrix=matrix,
        web=web,
        source=source,
        reminder_offsets=tuple(offsets[length] for length in sorted(offsets, reverse=True)),
        group_warning=group_warning,
        commands_burst=commands_burst,
        commands_per_minute=commands_per_minute,
        charts=charts,
        chart_font=chart_font or None,
    )


def load_config(path: Path | None) -> Config:
    """Load PATH, or ``quorum.toml`` in the working directory if it exists, else defaults."""
    if path is None:
        default = Path("quorum.toml")
        if not default.exists():
            return parse_config({})
        path = default
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder: give --config the configuration file, such as quorum.toml") from None
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    return parse_config(data, path)
