"""What the engine tells an organiser, kept as English text and its fields so that the chat layer
can say it in the reader's language.

The engines import nothing of the bot, so they cannot translate. Instead they mark each sentence
with `N_` or `ngettext` below — the names pybabel extracts, so these sentences land in the bot's
catalogues (bot/locales) with every other — and hand back `Words`. The pools feature says them
through the reader's catalogue; the command line and the auditor's pages print the English
(`Words.english`). A plain `str` in a `SortitionError` is English for operators only: the command
line's own complaints, guards that "cannot happen", and a stored document that does not check out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Words:
    """A sentence (or, with `plural`, the two English forms of one whose form follows `n`) and the
    values of its named fields; a field may itself be `Words` ("3 volunteers"), said first."""

    text: str
    plural: str | None = None
    n: int = 0
    fields: Mapping[str, str | int | Words] = field(default_factory=dict)

    def say(self, translate: Callable[[str], str], translate_plural: Callable[[str, str, int], str],
            number: Callable[[int], str] = str) -> str:
        """This sentence through a catalogue's TRANSLATE (gettext) and TRANSLATE_PLURAL (ngettext);
        NUMBER writes `n` as the reader's locale does (digit grouping)."""
        if self.plural is None:
            template = translate(self.text)
        else:
            template = translate_plural(self.text, self.plural, self.n)
        values = {k: v.say(translate, translate_plural, number) if isinstance(v, Words) else v
                  for k, v in self.fields.items()}
        if self.plural is not None:
            values.setdefault("n", number(self.n))
        return template.format(**values)

    def english(self) -> str:
        """The sentence as the code writes it."""
        return self.say(lambda text: text, lambda one, many, n: one if n == 1 else many)


def N_(text: str, **fields: str | int | Words) -> Words:  # noqa: N802 - the name pybabel extracts
    """A sentence with named fields, marked for the catalogues."""
    return Words(text, fields=fields)


def ngettext(singular: str, plural: str, n: int, **fields: str | int | Words) -> Words:
    """A sentence whose form follows N (its `{n}` field), marked for the catalogues."""
    return Words(singular, plural, n, fields)


def bullet(item: Words) -> Words:
    """ITEM as a line of a list. Not a sentence, so not marked: "- {item}" is the same in every
    language, and a catalogue without it gives it back as it is."""
    return Words("- {item}", fields={"item": item})
