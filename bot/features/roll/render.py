"""How the roll reads: what an import did, in words an organiser checks at a glance."""

from __future__ import annotations

from bot.features.roll.model import RollImport
from bot.kernel.language import _, ngettext
from bot.kernel.wording import number


def import_summary(result: RollImport) -> str:
    """"Imported 3 members." (only those the import added: a re-import says how many were
    already on the roll) and, with --replace, who was made inactive, by name and number: a
    member dropped by mistake (a typo in a number, a missing row) must be seen before a ballot;
    and who the file renamed: a number given to another person by mistake hands them the first
    one's membership, linked accounts and all."""
    n = len(result.rows)
    added = n if result.added is None else result.added
    if added == n:
        out = [ngettext("Imported {n} member.", "Imported {n} members.", n).format(n=number(n))]
    else:
        out = [ngettext("Imported {n} new member.", "Imported {n} new members.", added).format(n=number(added))
               if added else _("No new member.")]
        # TRANSLATORS: said after "Imported 2 new members." or "No new member." of a roll re-imported.
        out.append(ngettext("{n} was already on the roll: updated, its join code unchanged.",
                            "{n} were already on the roll: updated, their join codes unchanged.",
                            n - added).format(n=number(n - added)))
    if result.renamed:
        # TRANSLATORS: {members} lists "Ann Smith (1001) → Bob Jones", a member's name on the roll and in the file.
        out.append(_("Renamed, by member number (their join codes and linked accounts stay with the number; check "
                     "each is the same person): {members}.").format(
            members=", ".join(f"{old} ({no}) → {new}" for no, old, new in result.renamed)))
    if result.made_inactive:
        who = ", ".join(f"{name} ({no})" if no else name for no, name in result.made_inactive)
        out.append(_("Made inactive (missing from the file): {members}.").format(members=who))
    elif result.replace:
        out.append(_("No member was made inactive: everyone on the roll is in the file."))
    return "\n".join(out)
