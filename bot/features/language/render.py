"""What /language says: the languages in use here, the ones shipped, and how to choose."""

from __future__ import annotations

from bot.kernel.language import _
from bot.kernel.markup import Markup, code, lines, markup
from bot.kernel.wording import clipped


def shipped(names: dict[str, str]) -> str:
    """The shipped languages as "en (English), pl (polski), cy (Cymraeg)"."""
    return ", ".join(f"{c} ({n})" for c, n in names.items())


def overview(names: dict[str, str], yours: str, source: str, room: str | None) -> Markup:
    """YOURS: the language of the speaker's private messages, chosen or from SOURCE ("app",
    "default"); ROOM: this group's, or None in a private chat."""
    out: list[object] = []
    said = {"chosen": _("chosen by you"), "app": _("as your app is set"), "default": _("the bot's default")}[source]
    out.append(markup(_("Your language: {name} ({how})."), name=names[yours], how=said))
    if room is not None:
        out.append(markup(_("This room: {name}."), name=names[room]))
    out.append(markup(_("Available: {list}."), list=shipped(names)))
    out.append(markup(_("Choose yours privately with {example}; an organiser sets a room's language in the room."),
                      example=code("/language pl")))
    return lines(*out)


# Each sentence below is said in the language just chosen, so it names that language as its own
# grammar needs ("po polsku", "yn Gymraeg": Welsh mutates a name after "yn"): a whole sentence per
# language, never a name slotted in.


def chosen_for_you() -> str:
    # TRANSLATORS: said in the language just chosen, which is this catalogue's: name your own
    # language as the sentence needs it (Polish "po polsku", Welsh "yn Gymraeg").
    return _("From now on I write to you in English. Commands stay as they are (/vote, /help).")


def chosen_for_room() -> str:
    # TRANSLATORS: said in the language just chosen, which is this catalogue's: name your own
    # language as the sentence needs it (Polish "po polsku", Welsh "yn Gymraeg").
    return _("From now on I write in this room in English. Members choose their own for private messages with "
             "/language.")


def back_to_default(name: str) -> str:
    return _("Back to the default: {name}.").format(name=name)


def unknown(code_typed: str, names: dict[str, str]) -> str:
    return _("I have no {code} catalogue. Available: {list}. Send /language CODE with one of them.").format(
        code=clipped(code_typed, 20), list=shipped(names))


def organisers_only() -> str:
    return _("set this room's language (to choose yours, message me /language privately)")
