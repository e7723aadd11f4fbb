"""Sortition: quota checks, the leximin lottery, and a draw anyone can verify.

Pure and synchronous: no chat, storage or clock. The chat layer builds `Volunteer`s and
`Quotas`, calls `prepare` at freeze time, publishes the document's commitment, and later calls
`open_document` + `draw_panel` (and `replace`) with the announced randomness.
"""

from bot.engines.sortition.feasibility import InfeasibleQuotas, Relaxation, check
from bot.engines.sortition.model import QuotaBound, Quotas, SortitionError, Volunteer
from bot.engines.sortition.prepare import PreparedDraw, prepare
from bot.engines.sortition.published import PublishedDraw, TamperedDocument, open_document
from bot.engines.sortition.reveal import Replacement, SeatUnfillable, draw_panel, replace

__all__ = [
    "InfeasibleQuotas",
    "PreparedDraw",
    "PublishedDraw",
    "QuotaBound",
    "Quotas",
    "Relaxation",
    "Replacement",
    "SeatUnfillable",
    "SortitionError",
    "TamperedDocument",
    "Volunteer",
    "check",
    "draw_panel",
    "open_document",
    "prepare",
    "replace",
]
