"""Reading signatures as people type them: ``/sign M12``, ``sign M12`` typed to the bot, and the
yes (with an optional branch) or no that answers the bot's question — in English, or in the
words of the member's own language ("tak", "nie"; "ie", "na")."""

from __future__ import annotations

import re

from bot.kernel.errors import UserError
from bot.kernel.ids import ref_kind
from bot.kernel.language import N_, _, pgettext
from bot.kernel.wording import quoted

# The syntax stays English (it is the interface); the words around it are translated.
USAGE = N_("/sign M12 (or T2) — then reply yes; /sign M12 yes [BRANCH] signs at once; /unsign M12 withdraws")
MAX_BRANCH = 100
TYPED = re.compile(r"^\s*(sign|unsign)\s+([A-Za-z]\d{1,9})\s*$", re.I)
_ENGLISH_YES = ("yes", "y")
_ENGLISH_NO = ("no", "n")
# "tak, North" -> "tak", "North": only the punctuation that separates a word from what follows
# goes, so a branch name keeps its own ("yes <North>", "yes (North) branch").
_FIRST_WORD = re.compile(r"^\s*([^\W\d_]+)[\s,;:.!?\-–—]*(.*)$", re.S)


def _words(listed: str) -> set[str]:
    return {w.strip().casefold() for w in listed.split("|") if w.strip()}


def answer(text: str) -> tuple[bool, str] | None:
    """(True for yes, False for no; what follows the word, a branch name) or None if TEXT starts
    with neither. English is always understood beside the reader's own language."""
    m = _FIRST_WORD.match(text)
    if not m:
        return None
    word = m.group(1).casefold()
    # TRANSLATORS: the words that answer "yes" to "Reply yes to sign", separated by |, lower case
    # (e.g. "tak"); English "yes" is always understood as well.
    if word in _ENGLISH_YES or word in _words(pgettext("answer", "yes")):
        return True, m.group(2)
    # TRANSLATORS: the words that answer "no" (cancel signing), separated by |, lower case (e.g. "nie").
    if word in _ENGLISH_NO or word in _words(pgettext("answer", "no")):
        return False, m.group(2)
    return None


def target(text: str, letters: set[str]) -> tuple[str, int]:
    """('M', 12) for 'M12', when M is one of LETTERS (the kinds of thing that can be signed)."""
    found = ref_kind(text)
    if found is None or found[0] not in letters:
        raise UserError(_("{typed} is not something to sign: give a motion campaign or trigger id such as M12 or "
                          "T2. Usage: {usage}").format(typed=quoted(text.strip(), 30), usage=_(USAGE)))
    return found


def branch(text: str) -> str | None:
    name = " ".join(text.split())
    if len(name) > MAX_BRANCH:
        raise UserError(_("That branch name is too long; keep it under {limit} characters.").format(
            limit=MAX_BRANCH))
    return name or None
