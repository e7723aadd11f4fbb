"""The error a user sees.

Handlers raise UserError before they change anything; the dispatcher turns it into one short
reply, so every refusal reads the same and leaves the state as it was.
"""


class UserError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(Exception):
    """A configuration problem, always naming the key at fault."""
