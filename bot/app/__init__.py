"""The application: the one place that builds the storage, the services and the routers and
wires them together (see bootstrap.py). ``bootstrap`` is its entry point: the command line, the
console and the tests build the bot through it; platform adapters are handed the App it returns."""

from bot.app.bootstrap import App, bootstrap
from bot.app.transports import Transports

__all__ = ["App", "Transports", "bootstrap"]
