"""Errors the peer answers with, shaped like the Bot API's own error replies."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A failed Bot API call, turned into ``{"ok": false, ...}`` by the server.

    Telegram's descriptions are kept verbatim (e.g. ``"Bad Request: message is too long"``)
    because client libraries and adapters match on them.
    """

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 with Telegram's ``Bad Request:`` prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """A 403 with Telegram's ``Forbidden:`` prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 exactly as Telegram's flood control sends it."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


class PeerUsageError(AssertionError):
    """A test asked a simulated user to do something Telegram would not let them do.

    It subclasses :class:`AssertionError` so pytest reports it as a failed expectation of
    the test, not as a crash of the peer.
    """
