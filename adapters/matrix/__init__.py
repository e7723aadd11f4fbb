"""The Matrix adapter (matrix-nio): the bot in Matrix rooms, with native MSC3381 polls."""

from adapters.matrix.adapter import MatrixAdapter
from adapters.matrix.transport import MatrixTransport

__all__ = ["MatrixAdapter", "MatrixTransport"]
