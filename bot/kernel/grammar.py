"""The one command grammar every platform shares.

A command is a prefix (``/``, and ``!`` on Matrix), a name, an optional ``@BotName`` (Telegram
groups), then free text. Options are ``--name`` words; which options take a value is fixed per
command, so an unknown or misspelt option is an error rather than part of the question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.kernel.errors import ParseError
from bot.kernel.language import _, ngettext
from bot.kernel.wording import quoted

_COMMAND = re.compile(r"^([/!])([A-Za-z][A-Za-z0-9_]{0,31})(?:@(\w+))?(?:\s+(.*))?$", re.S)


@dataclass(frozen=True)
class CommandText:
    name: str
    args: str
    bot: str | None = None


def split_command(text: str, prefixes: tuple[str, ...] = ("/",)) -> CommandText | None:
    """The command in TEXT, or None if TEXT is not a command. Characters that show nothing (a
    byte-order mark, a zero-width space, a direction mark that a keyboard or a copied text slips
    in) before the command or inside its name are not read, and the command's word is read in
    its compatibility form (NFKC), so the fullwidth ``／ｖｏｔｅ`` an East Asian keyboard types is
    ``/vote``: what looks like /vote is /vote. (Telegram marks no such word as a command: the bot
    reads it from the text wherever it gets the text.)"""
    text = text.strip()
    start = 0
    while start < len(text) and (text[start].isspace() or _unseen(text[start])):
        start += 1
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    name = unicodedata.normalize("NFKC", "".join(c for c in text[start:end] if not _unseen(c)))
    m = _COMMAND.match(name + text[end:])
    if not m or m.group(1) not in prefixes:
        return None
    return CommandText(m.group(2).lower(), (m.group(4) or "").strip(), m.group(3))


def _unseen(ch: str) -> bool:
    """Whether CH is a format character, which shows nothing (Unicode's category Cf)."""
    return unicodedata.category(ch) == "Cf"


def typo_distance(typed: str, meant: str) -> int:
    """How many single-letter slips (a letter left out, added, changed, or two swapped) turn
    MEANT into TYPED: the optimal string alignment distance."""
    rows = [list(range(len(meant) + 1))]
    for i, a in enumerate(typed, 1):
        row = [i]
        for j, b in enumerate(meant, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a != b))
            if i > 1 and j > 1 and a == meant[j - 2] and typed[i - 2] == b:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def likely_typo(typed: str, meant: str) -> bool:
    """Whether TYPED is likely a slip for MEANT: one slip in a short name (up to 5 letters),
    two in a longer one. Stricter would miss ``/clsoe``; looser would take another bot's
    ``/ban`` for a slip of ``/join``."""
    return typed != meant and typo_distance(typed, meant) <= (1 if len(meant) <= 5 else 2)


def is_number(text: str) -> bool:
    """A plain whole number as people type it: ASCII digits only (``'¹'.isdigit()`` is true,
    but it is no number), and short enough that no one means more than a billion."""
    return text.isascii() and text.isdigit() and len(text) <= 9


class GrammarError(ParseError):
    pass


@dataclass
class Options:
    flags: set[str] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)


_OPTION = re.compile(r"(--|[\u2013\u2014])([A-Za-z][A-Za-z0-9-]*)(=.*)?", re.S)
"""An option as typed: ``--name`` (or ``--name=value``); phones turn ``--`` into an en or em
dash, so ``—name`` is one too when NAME is an option of the command."""


def _option_name(word: str, known: frozenset[str]) -> str | None:
    """The option WORD names, or None if WORD is text: a dash alone, a dash inside a word, or a
    long dash before a word that is no option (``—yes``) are what people write in text."""
    m = _OPTION.fullmatch(word)
    if m is None:
        return None
    name = m.group(2).lower()
    return name if m.group(1) == "--" or name in known else None


_AN_OPTION = re.compile(r"^(?:--|[\u2013\u2014])[^\W\d_]", re.U)
_QUOTES = ('""', "“”", "''", "‘’", "„”", "«»", "„“", "»«")
_OPENING_MARKS = frozenset(q[0] for q in _QUOTES)


def take_name(args: str, option: str) -> tuple[str, str | None]:
    """ARGS without ``--OPTION NAME``, and NAME (OPTION: the option's word, letters and
    dashes). A name (a branch's) may have several words, so it runs to the next option
    (``--branch North East --closes 1h``), in quotes or not (``--branch "North East"``), spaces
    inside it made single. ARGS as they were, and None, when --OPTION has no such value
    (``split_options`` then says what is wrong). A quotation mark opened and not closed
    (``--branch "North``) is refused: where the name ends is unclear."""
    pattern = re.compile(rf"^(?:--|[\u2013\u2014]){option}(?:=(.*))?$", re.I)
    words = args.split()
    for i, w in enumerate(words):
        m = pattern.match(w)
        if m is None:
            continue
        end = i + 1
        while end < len(words) and not _AN_OPTION.match(words[end]):
            end += 1
        value = " ".join(([m.group(1)] if m.group(1) else []) + words[i + 1:end])
        for opening, closing in _QUOTES:
            if len(value) > 1 and value[0] == opening and value[-1] == closing:
                value = value[1:-1].strip()
                break
        else:
            if value[:1] in _OPENING_MARKS:
                raise GrammarError(_("--{option} {typed}: a quotation mark is left open. Write the name as it "
                                     "is, or between quotation marks: --{option} \"North East\"").format(
                    option=option, typed=quoted(value, 40)))
        if not value or "|" in value:
            return args, None
        return " ".join(words[:i] + words[end:]), " ".join(value.split())
    return args, None


def split_options(
    args: str, flags: frozenset[str], valued: frozenset[str], usage: str
) -> tuple[str, Options]:
    """Separate the ``--options`` at the end of ARGS from the text before them.

    Options come last, after the text (a question and its choices, a title, a name): they are
    the longest run of words at the end that are each an option or the value of the option
    before it. Everything before is text, dashes and all (``Approve the budget — yes or no?``,
    ``2--3 people``, ``a - b``). A ``--word`` written earlier is refused rather than read as
    text, so a misplaced or misspelt ``--secret`` never quietly opens an open ballot. Returns
    the text (words rejoined with single spaces) and the options found.
    """
    known = flags | valued
    words = _dates_with_times(args.split(), valued)
    names = [_option_name(w, known) for w in words]
    start = _options_start(words, names, len(words))
    while (spaced := _spaced_value(words, names, start, valued)) is not None:
        # A value typed with spaces (``--closes 2 h``, ``--closes 1w pm``) after the text: its
        # words are the value, which the command reads and refuses naming it, rather than
        # everything before them being taken for text with an option misplaced in it.
        words[spaced:start] = [" ".join(words[spaced:start])]
        names[spaced:start] = [names[spaced]]  # an option with its value after "=", or a value
        start = _options_start(words, names, spaced + 1)
    listed = ", ".join(f"--{n}" for n in sorted(known))
    for w, name in zip(words[:start], names[:start], strict=True):
        if name is None or not w.startswith("--"):
            continue
        if name not in known:
            raise GrammarError(_("unknown option {option}. Options are: {options}").format(
                option="--" + name, options=listed))
        raise GrammarError(_("{option} is an option: put options at the end, after the text. Usage: {usage}").format(
            option=w, usage=usage))
    opts = _read_options([w if name is None else "--" + w.lstrip("-\u2013\u2014")
                          for w, name in zip(words[start:], names[start:], strict=True)], flags, valued, usage)
    return " ".join(words[:start]), opts


def _options_start(words: list[str], names: list[str | None], end: int) -> int:
    """Where the options at the end of WORDS[:END] begin: the longest run of words before END
    that are each an option or the value of the option before it (END if there are none)."""
    start = end
    i = end - 1
    while i >= 0:
        if names[i] is not None:
            start = i
        elif i > 0 and names[i - 1] is not None and "=" not in words[i - 1]:
            start = i - 1  # the value of the option before it (refused below if it takes none)
            i -= 1
        else:
            break
        i -= 1
    return start


def _spaced_value(words: list[str], names: list[str | None], start: int, valued: frozenset[str]) -> int | None:
    """Where a value typed with spaces begins, if the words just before START are one: the last
    option in WORDS[:START] takes a value and only words that are no option follow it, more
    than the one a value is (``Lunch? --closes 2 h``, or ``--closes 2 h`` alone where the text
    may be empty). None otherwise: an option taking no value, or one followed by a ``|``
    (which separates a poll's choices, and is in no value), is misplaced."""
    last = max((k for k in range(start) if names[k] is not None), default=None)
    if last is None or names[last] not in valued or not words[last].startswith("--"):
        return None
    first = last if "=" in words[last] else last + 1  # ``--closes=2 h``: the value begins in it
    if start - first < 2 or any("|" in w for w in words[last + 1:start]):
        return None
    return first


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"\d{1,2}(:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?|[:.]\d{2})?([ap]\.?m\.?)?",
                   re.ASCII | re.I)
"""A time of day as one word: ``18:00``, ``18:00:30+01:00``, ``6pm``, ``6:30pm``, or ``6`` and
``6:30`` before an am or pm written apart."""
_HALF_DAY = re.compile(r"[ap]\.?m\.?", re.ASCII | re.I)
_HOUR = re.compile(r"\d{1,2}([:.]\d{2})?", re.ASCII)


def _goes_on(value: str, word: str) -> bool:
    """Whether WORD is the rest of a date and time that VALUE, an option's value so far, began:
    the time after a date (``2026-06-03 18:00``), or the am or pm after a time (``6:30 pm``)."""
    return bool(_DATE.fullmatch(value) and _TIME.fullmatch(word)
                or _HALF_DAY.fullmatch(word) and _HOUR.fullmatch(value.rpartition(" ")[2]))


def _dates_with_times(words: list[str], valued: frozenset[str]) -> list[str]:
    """WORDS with a date and time written apart as one word where they are an option's value:
    ``--closes 2026-06-03 18:00`` and ``--closes 6:30 pm`` are how people write them, and the
    rest is part of the value, not text left after the options."""
    out: list[str] = []
    value: str | None = None  # the value of an option that the last word holds, or ends
    for w in words:
        if value is not None and _goes_on(value, w):
            out[-1] += " " + w
            value += " " + w
            continue
        if out and _option_name(out[-1], valued) in valued and "=" not in out[-1]:
            value = w  # the value of the option before it
        elif _option_name(w, valued) in valued and "=" in w:
            value = w.partition("=")[2]
        else:
            value = None
        out.append(w)
    return out


def _read_options(words: list[str], flags: frozenset[str], valued: frozenset[str], usage: str) -> Options:
    """The options in WORDS, which are all options and their values."""
    opts = Options()
    i = 0
    while i < len(words):
        w = words[i]
        if not w.startswith("--"):  # a word after an option that takes none, e.g. "--secret yes"
            if not valued:
                raise GrammarError(_("unexpected {word} after the options; no option takes a value. Usage: {usage}")
                                   .format(word=quoted(w), usage=usage))
            takes = ", ".join(f"--{n}" for n in sorted(valued))
            raise GrammarError(ngettext("unexpected {word} after the options; only {options} takes a value. "
                                        "Usage: {usage}",
                                        "unexpected {word} after the options; only {options} take a value. "
                                        "Usage: {usage}", len(valued)).format(word=quoted(w), options=takes,
                                                                              usage=usage))
        name, _eq, inline = w[2:].partition("=")
        name = name.lower()
        if name in flags:
            if inline:
                raise GrammarError(_("{option} takes no value. Usage: {usage}").format(option="--" + name, usage=usage))
            if name in opts.flags:
                raise GrammarError(_("{option} is given twice. Usage: {usage}").format(option="--" + name, usage=usage))
            opts.flags.add(name)
        elif name in valued:
            if name in opts.values:
                raise GrammarError(_("{option} is given twice. Usage: {usage}").format(option="--" + name, usage=usage))
            if inline:
                opts.values[name] = inline
            else:
                if i + 1 >= len(words) or words[i + 1].startswith("--"):
                    raise GrammarError(_("{option} needs a value. Usage: {usage}").format(option="--" + name,
                                                                                          usage=usage))
                i += 1
                opts.values[name] = words[i]
        else:
            known = ", ".join(f"--{n}" for n in sorted(flags | valued))
            raise GrammarError(_("unknown option {option}. Options are: {options}").format(
                option="--" + name, options=known))
        i += 1
    return opts
