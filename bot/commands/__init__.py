"""Chat commands. Importing this package registers every command with the registry."""

from bot.commands import campaigns, help, members, motions, polls, pools, reminders, signups, start, triggers  # noqa: F401
