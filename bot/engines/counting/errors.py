"""The one error a ballot file can raise.

Readers of real-world files meet every kind of damage; callers (the CLI, the bot) must be able to
tell the organiser which line to fix, so every parse failure carries its line number and a short
reason instead of a traceback from deep inside the parser.
"""


class BallotFileError(ValueError):
    """A ballot file that cannot be read, with the 1-based line at fault (None: whole file)."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        where = f"{source}: line {line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason
