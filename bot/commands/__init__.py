"""Chat commands. Importing this package registers every command with the registry."""

from bot.commands import help, members, polls  # noqa: F401
