"""What members type, as hypothesis strategies: text a renderer must carry through untouched.

Words of markup characters (``<b>``, ``&amp;``, quotes), Markdown marks, right-to-left and
zero-width controls, combining marks, emoji, lone UTF-16 surrogates (a platform's JSON may carry
them; the core reads each as U+FFFD) and bidi overrides (the core drops them). No whitespace
inside a word and no word of overrides alone, so a phrase reads the same after any trimming, and
never the ``|`` that separates a poll's options.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")

HOSTILE = (
    "<", ">", "&", '"', "'", "<b>", "</b>", "<i>", "</pre>", "<a", "href='https://x.example'>", "</a>", "&amp;",
    "&lt;", "&#60;", "<tg-spoiler>", "*", "_", "`", "~", "[x](y)", "\\", "#", "@", "/", ":",
    "\u202e", "\u200f", "\u061c", "\u200d", "\u0301", "ש", "ا", "中", "🗳", "👍🏽", "\ud800", "\udfff",
)

word = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S"]),
                                                min_size=1, max_size=3)),
    min_size=1, max_size=4,
).map("".join).filter(lambda w: "|" not in w and _BIDI_CONTROL.sub("", w) != "")

phrase = st.lists(word, min_size=1, max_size=4).map(" ".join).filter(lambda p: len(p) <= 120)
"""A few words of what a member might type as a question, an option or a title (short enough
for any of them: a title takes 120 characters)."""


def as_read(text: str) -> str:
    """TEXT as the core reads it from a platform's JSON, which spells text in UTF-16: a high and
    a low surrogate side by side are one character, and each lone one becomes U+FFFD; the
    controls that reorder text (RLO and the like) are dropped (bot/kernel/events.py)."""
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _BIDI_CONTROL.sub("", joined)

option = phrase.filter(lambda o: "," not in o and len(o) <= 90)
"""An option's name: /vote separates choices with commas, so a poll refuses an option with one;
and an option takes 100 characters (the tests put a word before it)."""

mistake = word.filter(lambda w: "," not in w)
"""One word typed where the bot expects a choice, which it quotes back in its refusal."""
