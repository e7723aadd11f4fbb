"""What the platform adapters say themselves, in the reader's language.

An adapter meets a few things the core never sees (a command sent as a channel, the bot removed
from a group, a message it could not decrypt, a room upgraded). What it tells members about them
is written here, with the core's messages, so that it is marked for the catalogues like every
other text; the adapter renders it inside ``core.speaking_to(reader)`` (bot/app/bootstrap.py).
Adapters import only the kernel and the app, so this is where their sentences live.
"""

from __future__ import annotations

from bot.kernel.language import _
from bot.kernel.markup import Markup, code, markup


def sent_as_channel() -> str:
    """In the group: a command sent as a channel, which names no member."""
    return _("You wrote as a channel, and I cannot tell who that is: send the command as yourself "
             "(choose your own name in the \"send as\" menu).")


def removed_from(group: str | None) -> str:
    """Privately, to whoever removed the bot from GROUP (its title, if it has one)."""
    if group:
        return _("I was removed from {group}, so I no longer send anything there: results, reminders and "
                 "announcements for it are not delivered. Add me again to resume.").format(group=group)
    return _("I was removed from the group, so I no longer send anything there: results, reminders and "
             "announcements for it are not delivered. Add me again to resume.")


def answer_as_chat_not_counted(chat: str | None) -> str:
    """In the group: an answer to a native poll given as a chat (a channel), which names no member."""
    if chat:
        return _("An answer given as {chat} was not counted: vote as yourself.").format(chat=chat)
    return _("An answer given as a channel was not counted: vote as yourself.")


def forwarded_command() -> str:
    """Privately: a forwarded message that starts with a command, which the bot does not act on."""
    return _("That is a forwarded message, so I did not act on it: I act only on commands you write "
             "yourself. To do it, send the command as your own message.")


def closed_topic() -> str:
    """In a forum's General topic: the bot cannot write in one of its closed topics."""
    return _("I cannot write in a closed topic, so messages for it are not sent (results and reminders "
             "included). An administrator can reopen the topic, or make me an administrator, who may write "
             "in closed topics.")


def undecryptable() -> Markup:
    """To the member whose encrypted message the bot could not read."""
    return markup(_("I could not decrypt your message: its keys did not reach me. Please send it again."))


def held_and_lost(room: str | None) -> str:
    """Privately, to a member whose message or poll answer in ROOM (its title, if it has one)
    waited more than a day for the homeserver and was lost with a restart: it did not count."""
    if room:
        return _("What you sent in {room} did not count: for more than a day the homeserver did not give me "
                 "what I needed to read it, and I have restarted since. Please send it again (a poll answer: "
                 "answer again).").format(room=room)
    return _("What you sent in a room did not count: for more than a day the homeserver did not give me what I "
             "needed to read it, and I have restarted since. Please send it again (a poll answer: answer again).")


def write_here() -> str:
    """In a direct chat the bot opened itself, to someone whose own chat with it it declined
    (it joins only the rooms its operator allows)."""
    return _("I cannot join a chat you open (I join only the rooms my operators allow), so I opened this one: "
             "to talk to me privately, for example to vote by secret ballot, write to me here.")


def room_upgraded(old: str | None, where: Markup) -> Markup:
    """To a member who wrote in a room that was upgraded: WHERE it continues (a link)."""
    if old:
        return markup(_("{room} has been upgraded and continues in {where}: its polls are there, and nothing "
                        "sent to the old room counts any more. Please send it there."), room=old, where=where)
    return markup(_("This room has been upgraded and continues in {where}: its polls are there, and nothing "
                    "sent to the old room counts any more. Please send it there."), where=where)


def cannot_post(room: str, reason: str) -> Markup:
    """Privately, to a room's organisers: the homeserver no longer lets the bot post there."""
    return markup(_("I can no longer post in {room} ({reason}), so what I had to say there was not sent. "
                    "Invite me again, or give me back the right to post."), room=room, reason=reason)


def message_me(label: str, bot: str, command: str) -> Markup:
    """On a platform without buttons: what a button that opens a private chat would have done."""
    # TRANSLATORS: {label} is the button's own text, {bot} the bot's account, {command} e.g. "/start vote-3".
    return markup(_("{label}: message me privately ({bot}) with {command}"), label=label, bot=bot,
                  command=code(command))


def poll_ended() -> str:
    """A platform's own poll closed without a result text."""
    return _("The poll has ended.")


def file_part(head: str, n: int, parts: int) -> str:
    """The heading of one part of a file sent as messages."""
    return _("{head} (part {n} of {parts})").format(head=head, n=n, parts=parts)


def cut_short() -> str:
    """The last line of a message updated in place with a text too long for one message."""
    return _("… (too long for one message: the rest is cut)")
