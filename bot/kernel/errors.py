"""The errors a user sees.

Handlers raise UserError before they change anything; the dispatcher turns it into one short
reply, so every refusal reads the same and leaves the state as it was. Pure parsers raise a
ParseError instead (they know what is wrong, not how the command around them reads); the
dispatcher turns an uncaught one into a sentence the same way, in one place.
"""


class UserError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParseError(ValueError):
    """Text that does not read as it should: the message is a clause such as "the poll needs a
    question", which ``sentence`` makes into the reply."""


def sentence(clause: object) -> str:
    """A clause as a reply: capitalised, with a full stop."""
    text = str(clause)
    return f"{text[:1].upper()}{text[1:]}."


class ConfigError(Exception):
    """A configuration problem, always naming the key at fault."""


class StartError(Exception):
    """The bot cannot start (or go on): its message is one plain sentence saying why and what
    to do, which ``quorum`` prints before it exits non-zero so that a supervisor sees it."""
