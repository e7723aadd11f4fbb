"""The homeserver configuration used by the test suite.

Synapse's defaults are tuned for a public server: they throttle messages, joins, invites and
logins to a few per second, hash passwords slowly and talk to other servers. A test suite acting
as many users in quick succession would crawl, and reach out to the network, so this module
builds a configuration for a private, loopback-only, single-server deployment instead.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from signedjson.key import generate_signing_key, write_signing_keys

SERVER_NAME = "localhost"
"""The server part of every user id and room id the test homeserver hands out."""

# Generous enough that no test ever meets a limit, while the limiter code paths still run.
_UNLIMITED: dict[str, float] = {"per_second": 10_000, "burst_count": 10_000}


def _rate_limits() -> dict[str, Any]:
    """Relax every client-facing limit; the adapter's own 429 handling is tested separately."""
    single = [
        "rc_message",
        "rc_registration",
        "rc_registration_token_validity",
        "rc_admin_redaction",
        "rc_3pid_validation",
        "rc_joins_per_room",
        "rc_room_creation",
        "rc_key_requests",
        "rc_media_create",
        "rc_delayed_event_mgmt",
        "rc_reports",
        "rc_user_directory",
        "rc_profile",
        "rc_third_party_invite",
    ]
    limits: dict[str, Any] = {name: dict(_UNLIMITED) for name in single}
    limits["rc_login"] = {part: dict(_UNLIMITED) for part in ("address", "account", "failed_attempts")}
    limits["rc_joins"] = {part: dict(_UNLIMITED) for part in ("local", "remote")}
    limits["rc_invites"] = {part: dict(_UNLIMITED) for part in ("per_room", "per_user", "per_issuer")}
    limits["rc_presence"] = {"per_user": dict(_UNLIMITED)}
    limits["rc_federation"] = {
        "window_size": 1000,
        "sleep_limit": 10_000,
        "sleep_delay": 0,
        "reject_limit": 10_000,
        "concurrent": 100,
    }
    return limits


def build_config(
    *,
    data_dir: Path,
    port: int,
    registration_shared_secret: str,
    server_name: str = SERVER_NAME,
) -> dict[str, Any]:
    """Return the homeserver configuration as a plain mapping.

    Everything Synapse would otherwise generate or fetch (secrets, keys, stats, previews,
    federation) is fixed here so a start needs no network and no interactive answers.
    """
    return {
        "server_name": server_name,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": str(data_dir / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {
            "name": "sqlite3",
            "args": {"database": str(data_dir / "homeserver.db")},
        },
        "media_store_path": str(data_dir / "media_store"),
        "max_upload_size": "10M",
        "url_preview_enabled": False,
        "enable_media_repo": True,
        "signing_key_path": str(data_dir / "signing.key"),
        "macaroon_secret_key": secrets.token_urlsafe(32),
        "form_secret": secrets.token_urlsafe(32),
        "registration_shared_secret": registration_shared_secret,
        "enable_registration": True,
        "enable_registration_without_verification": True,
        "bcrypt_rounds": 4,
        "report_stats": False,
        "enable_metrics": False,
        "presence": {"enabled": False},
        "federation_domain_whitelist": [],
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "allow_public_rooms_over_federation": False,
        "user_directory": {"enabled": False},
        "auto_join_rooms": [],
        **_rate_limits(),
    }


def write_config(
    *,
    data_dir: Path,
    port: int,
    registration_shared_secret: str,
    server_name: str = SERVER_NAME,
) -> Path:
    """Write the configuration and a fresh signing key into ``data_dir``; return the config path.

    The signing key is made here rather than by ``--generate-keys`` because that costs a second
    interpreter start with all of Synapse imported, which is most of the startup time.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "media_store").mkdir(exist_ok=True)
    config = build_config(
        data_dir=data_dir,
        port=port,
        registration_shared_secret=registration_shared_secret,
        server_name=server_name,
    )
    key_path = Path(config["signing_key_path"])
    if not key_path.exists():
        with key_path.open("w", encoding="utf-8") as stream:
            write_signing_keys(stream, [generate_signing_key("a_test")])
    # JSON is YAML, and the standard library writes it.
    config_path = data_dir / "homeserver.yaml"
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return config_path
