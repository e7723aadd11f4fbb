"""How the roll reads: what an import did, in words an organiser checks at a glance."""

from __future__ import annotations

from bot.features.roll.model import RollImport
from bot.kernel.wording import count_of


def import_summary(result: RollImport) -> str:
    """"Imported 3 members." and, with --replace, who was made inactive, by name and number: a
    member dropped by mistake (a typo in a number, a missing row) must be seen before a ballot."""
    out = [f"Imported {count_of(len(result.rows), 'member')}."]
    if result.made_inactive:
        who = ", ".join(f"{name} ({number})" if number else name for number, name in result.made_inactive)
        out.append(f"Made inactive (missing from the file): {who}.")
    elif result.replace:
        out.append("No member was made inactive: everyone on the roll is in the file.")
    return "\n".join(out)
