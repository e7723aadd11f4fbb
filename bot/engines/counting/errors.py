"""The one error a ballot file can raise.

Readers of real-world files meet every kind of damage; callers (the CLI, the bot) must be able to
tell the organiser which line to fix, so every parse failure carries its line number and a short
reason instead of a traceback from deep inside the parser.
"""

from bot.engines.counting.profile import MAX_DIGITS


class BallotFileError(ValueError):
    """A ballot file that cannot be read, with the 1-based line at fault (None: whole file)."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        where = f"{source}: line {line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


def whole_number(text: str, source: str, line: int | None, what: str) -> int:
    """TEXT, already known to be digits with an optional sign, as an int.

    Python refuses to read integers of more than 4300 digits with an error that names neither
    the line nor the limit; a number longer than the counting limit is refused here instead, in
    one line that says both.
    """
    digits = len(text.lstrip("+-"))
    if digits > MAX_DIGITS:
        raise BallotFileError(source, line, f"{what} has {digits} digits; at most {MAX_DIGITS} can be counted")
    return int(text)
