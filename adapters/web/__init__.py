"""The web adapter: the auditor's pages, /healthz and /metrics, read-only, beside the bot."""

from adapters.web.server import WebServer

__all__ = ["WebServer"]
