"""Lists for organisers as CSV files, sent privately.

An export is one file (``SendFile``), whatever its length: a spreadsheet opens it as it is,
where a list pasted into chat messages had to be cut into parts and copied back together.

The column names stay as they are in every language (``name``, ``member_number``, ``signed_at``):
they are identifiers a spreadsheet's formulas, a mail merge or a script refer to, and the roll
import reads the same names back; one organiser's export must match another's, whichever
language each reads the bot in. The caption and the sentences around the file are translated.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from bot.kernel.context import Context, not_sent_privately
from bot.kernel.language import _, ngettext
from bot.kernel.wording import number


def _safe(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """HEADER and ROWS as CSV, every cell safe to open in a spreadsheet."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else _safe(str(v)) for v in row] for row in rows)
    return buf.getvalue()


def file_name(label: str, suffix: str) -> str:
    """A file name from a label ("M12 signatures" -> "M12-signatures.csv"): letters, digits and
    dashes only, so it is valid on every platform and file system."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-") or "export"
    return f"{stem}{suffix}"


async def send_privately(
    ctx: Context, label: str, header: Sequence[str], rows: Sequence[Sequence[object]], what: str
) -> None:
    """Send an organiser a list as a CSV file in their private chat: personal data never goes
    to the group."""
    data = csv_text(header, rows).encode("utf-8")
    with await ctx.speaking_to(ctx.actor.id):  # the file goes to the speaker: their language, not the room's
        caption = ngettext("{label}: {n} row.", "{label}: {n} rows.", len(rows)).format(label=label,
                                                                                        n=number(len(rows)))
    if await ctx.send_file(file_name(label, ".csv"), data, caption) is None:
        raise not_sent_privately(what)
    if not ctx.room.private:
        # TRANSLATORS: {what} as above, e.g. "the list of signatures".
        await ctx.reply(_("I sent you {what} privately.").format(what=what))
