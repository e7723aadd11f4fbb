"""How the roll reads: what an import did, in words an organiser checks at a glance."""

from __future__ import annotations

from bot.features.roll.model import RollImport
from bot.kernel.language import _, ngettext
from bot.kernel.wording import number


def import_summary(result: RollImport) -> str:
    """"Imported 3 members." and, with --replace, who was made inactive, by name and number: a
    member dropped by mistake (a typo in a number, a missing row) must be seen before a ballot."""
    n = len(result.rows)
    out = [ngettext("Imported {n} member.", "Imported {n} members.", n).format(n=number(n))]
    if result.made_inactive:
        who = ", ".join(f"{name} ({no})" if no else name for no, name in result.made_inactive)
        out.append(_("Made inactive (missing from the file): {members}.").format(members=who))
    elif result.replace:
        out.append(_("No member was made inactive: everyone on the roll is in the file."))
    return "\n".join(out)
