"""Outbound effects: what the core asks an adapter to do.

Text is a small HTML subset (see ``bot.kernel.markup``) that Telegram and Matrix render natively and
the console strips, so the core writes each message once for every platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.events import ButtonPress


@dataclass(frozen=True, slots=True)
class Button:
    """A button: ``data`` comes back as a ButtonPress; ``start`` opens a private chat with
    the bot carrying that payload (a Telegram deep link), for ballots that must be secret."""

    label: str
    data: str | None = None
    start: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Send:
    """A message into a room (a group or a private chat). ``from_part``: a text too long for one
    message goes in parts, and this many of them were delivered before (the outbox resumes a
    message whose later part failed, see ``PartlyDelivered``): they are not sent again."""

    room: str
    text: str
    buttons: Keyboard = ()
    reply_to: str | None = None
    from_part: int = 0


@dataclass(frozen=True, slots=True)
class SendPrivate:
    """A message to one person in their private chat with the bot (``from_part``: as for Send)."""

    actor: str
    text: str
    buttons: Keyboard = ()
    from_part: int = 0


@dataclass(frozen=True, slots=True)
class Edit:
    room: str
    ref: str
    text: str
    buttons: Keyboard = ()


@dataclass(frozen=True, slots=True)
class AnswerPress:
    """The short confirmation a button press gets (Telegram's answerCallbackQuery)."""

    press: ButtonPress
    text: str


@dataclass(frozen=True, slots=True)
class SendNativePoll:
    """A poll the platform renders itself; its answers come back as NativePollAnswer."""

    room: str
    question: str
    options: tuple[str, ...]
    max_choices: int = 1
    text: str = ""


@dataclass(frozen=True, slots=True)
class CloseNativePoll:
    room: str
    ref: str
    native_ref: str | None = None
    text: str = ""


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


@dataclass(frozen=True, slots=True)
class SendFile:
    """A file (an export: a CSV list, a BLT file of ballots) into a room, or with ``private``
    to one person's private chat (``to`` is then their id). Lists that hold personal data go
    privately. A platform shows an image (``.png``, ``.jpg``) as a picture, anything else as a
    document to download; the console writes it to a folder and prints where. ``reply_to``: the
    message asking for it in the room, where a platform posts an answer beside its question
    (Matrix: in the thread it was sent in)."""

    to: str
    name: str
    data: bytes
    caption: str = ""
    private: bool = False
    reply_to: str | None = None

    @property
    def image(self) -> bool:
        return self.name.lower().endswith(IMAGE_SUFFIXES)


@dataclass(frozen=True, slots=True)
class Delete:
    """Someone's message in a room taken down (a join code typed where others read it): a
    Telegram deleteMessage, a Matrix redaction. Delivered once it is gone; a platform that does
    not let the bot (no administrator's right, too old, a console line already printed) refuses,
    and the sender is then asked to take it down themselves."""

    room: str
    ref: str


Effect = Send | SendPrivate | Edit | AnswerPress | SendNativePoll | CloseNativePoll | SendFile | Delete


@dataclass(frozen=True, slots=True)
class Delivered:
    """What an adapter reports back: the platform's reference to the message it sent."""

    ref: str | None = None
    native_ref: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
