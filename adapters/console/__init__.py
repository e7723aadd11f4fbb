"""The console adapter: a local chat in the terminal, the default when no platform is set."""

from adapters.console.adapter import ConsoleTransport, run_console

__all__ = ["ConsoleTransport", "run_console"]
