"""The shipped catalogues are complete and safe, and every text the bot sends goes through them.

* Every message marked in the code (``_``, ``ngettext``, ``pgettext``, ``N_``) is translated in
  each shipped catalogue (every plural form the language has), none is fuzzy, and a catalogue
  holds nothing the code no longer says.
* A translation has the same ``{fields}`` as its English (a missing one would lose a figure, an
  unknown one would crash the message) and the same markup tags (Telegram refuses a message whose
  tags do not pair up).
* A marked message is a plain string literal (an f-string cannot be looked up), its fields are
  named, so a translation may reorder them.
* No text reaches a member unmarked: a literal with words in it, given straight to what sends or
  builds a message (a refusal, a reply, a line of a rendering), fails here.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from bot.app.bootstrap import LOCALES

BOT = Path(__file__).resolve().parents[2] / "bot"
MARKERS = {"_", "ngettext", "pgettext", "N_"}
SHIPPED = sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/quorum.po"))
_TAG = re.compile(r"</?[a-z]+>")


def _source_messages() -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(context, msgid) → the English forms, as pybabel extracts them."""
    found: dict[tuple[str | None, str], tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(str(BOT), keywords=DEFAULT_KEYWORDS):
        forms = message if isinstance(message, tuple) else (message,)
        found[(context, forms[0])] = forms
    return found


SOURCE = _source_messages()


def _catalogue(code: str) -> Catalog:
    with (LOCALES / code / "LC_MESSAGES" / "quorum.po").open("rb") as f:
        return read_po(f, locale=code)


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_polish_and_welsh_are_shipped() -> None:
    assert {"pl", "cy"} <= set(SHIPPED)


@pytest.mark.parametrize("code", SHIPPED)
def test_every_message_is_translated(code: str) -> None:
    catalogue = _catalogue(code)
    forms = catalogue.num_plurals
    missing, fuzzy, short = [], [], []
    for (context, msgid), english in SOURCE.items():
        entry = catalogue.get(msgid, context=context)
        if entry is None:
            missing.append(msgid)
            continue
        if entry.fuzzy:
            fuzzy.append(msgid)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if len(english) > 1 and len(strings) != forms or not all(strings):
            short.append(msgid)
    assert not missing, f"{code}: {len(missing)} messages not in the catalogue, e.g. {missing[:5]}"
    assert not fuzzy, f"{code}: fuzzy (unchecked) translations: {fuzzy[:5]}"
    assert not short, f"{code}: untranslated (or missing plural forms): {short[:5]}"


@pytest.mark.parametrize("code", SHIPPED)
def test_a_catalogue_holds_only_what_the_code_says(code: str) -> None:
    stale = [m.id for m in _catalogue(code) if m.id and (m.context, m.id if isinstance(m.id, str) else m.id[0])
             not in SOURCE]
    assert not stale, f"{code}: messages the code no longer has (run pybabel update): {stale[:5]}"


@pytest.mark.parametrize("code", SHIPPED)
def test_translations_keep_fields_and_tags(code: str) -> None:
    wrong = []
    for m in _catalogue(code):
        if not m.id:
            continue
        english = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        want_fields = set().union(*(_fields(e) for e in english))
        want_tags = sorted(_TAG.findall(english[0]))
        for s in strings:
            # A plural form may leave out the number ("jeden głos"), never add a field.
            fields = _fields(s)
            if not fields <= want_fields or (len(english) == 1 and fields != want_fields):
                wrong.append((english[0], s, "fields"))
            if sorted(_TAG.findall(s)) != want_tags:
                wrong.append((english[0], s, "tags"))
    assert not wrong, f"{code}: {wrong[:5]}"


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def _name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _python_files() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def test_marked_messages_are_literals_with_named_fields() -> None:
    wrong = []
    for path in _python_files():
        for call in _calls(ast.parse(path.read_text())):
            if _name(call) not in MARKERS or not isinstance(call.func, ast.Name):
                continue
            texts = call.args[1:2] if _name(call) == "pgettext" else call.args[:2] if _name(call) == "ngettext" \
                else call.args[:1]
            for arg in texts:
                if _name(call) == "_" and isinstance(arg, ast.Name) and arg.id.isupper():
                    continue  # a constant marked with N_ where it is defined
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    wrong.append(f"{path.relative_to(BOT)}:{call.lineno} not a plain literal")
                elif "{}" in arg.value or re.search(r"\{\d", arg.value):
                    wrong.append(f"{path.relative_to(BOT)}:{call.lineno} unnamed field in {arg.value!r}")
    assert not wrong, wrong[:10]


def _direct(fn: ast.AST) -> list[ast.AST]:
    """The nodes of FN's own scope (not of the functions and comprehensions inside it)."""
    found, stack = [], list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef | ast.ListComp
                      | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def test_no_function_hides_the_translation_call() -> None:
    """``head, _, rest = …`` in a function makes ``_`` a local there (and in the functions inside
    it): a ``_("…")`` in its scope then calls a string and fails only when that message is said."""
    hidden = []
    for path in _python_files():
        for fn in ast.walk(ast.parse(path.read_text())):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assigns = any(isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) for n in _direct(fn))
            if assigns and any(_name(c) == "_" and isinstance(c.func, ast.Name) for c in _calls(fn)):
                hidden.append(f"{path.relative_to(BOT)}:{fn.lineno} {fn.name}")
    assert not hidden, hidden


# What sends or builds a message a member reads: a literal with words given straight to these is
# an untranslated text.
SENDING = {"UserError", "ParseError", "reply", "private", "Send", "SendPrivate", "AnswerPress", "Edit",
           "markup", "lines", "b", "i", "pre", "sentence", "append", "speak"}
_WORDS = re.compile(r"[^\W\d_]{2,}")
# The parts of a message that are not text: commands as typed, markup, fields.
_NOT_WORDS = re.compile(r"\{[^}]*\}|</?[a-z]+>|[/!][a-z]+(@\w+)?\b|https?://\S+")
# Where the core speaks to operators (logs, configuration, the command line) and the auditor's
# pages: English, as the operators' tools are.
NOT_MEMBERS = ("cli.py", "storage/", "engines/", "kernel/config.py", "kernel/pages.py", "app/monitoring.py",
               "app/audit.py", "app/runtime.py")


def _has_words(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_WORDS.search(_NOT_WORDS.sub(" ", node.value)))
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return bool(_WORDS.search(_NOT_WORDS.sub(" ", literal)))
    if isinstance(node, ast.BinOp):
        return _has_words(node.left) or _has_words(node.right)
    return False


def test_no_text_reaches_a_member_unmarked() -> None:
    unmarked = []
    for path in _python_files():
        where = str(path.relative_to(BOT))
        if where.startswith(NOT_MEMBERS) or where.endswith(NOT_MEMBERS):
            continue
        tree = ast.parse(path.read_text())
        for call in _calls(tree):
            if _name(call) not in SENDING:
                continue
            for arg in [*call.args, *(k.value for k in call.keywords if k.arg in ("text", "caption"))]:
                if _has_words(arg):
                    unmarked.append(f"{where}:{call.lineno}")
        if where.startswith("features/") and not where.endswith(("store.py", "model.py")):
            # What a rendering or a button's handler returns is what the member reads.
            unmarked += [f"{where}:{n.lineno}" for n in ast.walk(tree)
                         if isinstance(n, ast.Return) and n.value is not None and _has_words(n.value)]
    assert not unmarked, f"{len(unmarked)} texts not marked for translation: {sorted(unmarked)[:20]}"
