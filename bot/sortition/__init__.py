"""Sortition: quota checks, the leximin lottery, and a draw anyone can verify.

Pure and synchronous: no chat, storage or clock. The chat layer builds `Volunteer`s and
`Quotas`, calls `prepare` at freeze time, publishes the document's commitment, and later calls
`open_document` + `draw_panel` (and `replace`) with the announced randomness.
"""

from bot.sortition.feasibility import InfeasibleQuotas, Relaxation, check
from bot.sortition.model import QuotaBound, Quotas, SortitionError, Volunteer
from bot.sortition.prepare import PreparedDraw, prepare
from bot.sortition.published import PublishedDraw, TamperedDocument, open_document
from bot.sortition.reveal import Replacement, draw_panel, replace

__all__ = [
    "InfeasibleQuotas",
    "PreparedDraw",
    "PublishedDraw",
    "QuotaBound",
    "Quotas",
    "Relaxation",
    "Replacement",
    "SortitionError",
    "TamperedDocument",
    "Volunteer",
    "check",
    "draw_panel",
    "open_document",
    "prepare",
    "replace",
]
