"""The console chat: several people played from one terminal or one script.

It is a real adapter, not a test double: the same core handles it as Telegram or Matrix,
and a script (``quorum console < meeting.txt``) replays a whole meeting and prints its
transcript, which is how scenarios are tested end to end.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from adapters.console.notation import Advance, Joins, Press, Said, Unreadable, read_line
from bot.app import App, Transports, bootstrap
from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.durations import parse_duration
from bot.kernel.effects import (
    AnswerPress,
    CloseNativePoll,
    Delete,
    Delivered,
    Edit,
    Effect,
    Keyboard,
    Send,
    SendFile,
    SendNativePoll,
    SendPrivate,
)
from bot.kernel.events import Actor, ButtonPress, Joined, Left, Message, Room
from bot.kernel.markup import to_plain

PLATFORM = "console"


def _buttons(keyboard: Keyboard) -> str:
    labels = []
    for row in keyboard:
        for button in row:
            labels.append(f"[{button.label}]")
    return "  " + " ".join(labels) if labels else ""


class ConsoleTransport:
    platform = PLATFORM
    prefixes = ("/", "!")
    files = True  # exports go as files (SendFile)
    bot_username = None
    edit_interval = 0.0
    connected = True  # the terminal is always there (/healthz)

    def __init__(self, config: Config, out: TextIO, show_edits: bool = False) -> None:
        self._organisers = {f"{PLATFORM}:{n}" for n in config.console_organisers}
        self._out = out
        self._ids = itertools.count(1)
        self.show_edits = show_edits
        self.shared_room = f"{PLATFORM}:{config.console_room}"
        self.exports = config.database.parent / "exports"
        self.transcript: list[str] = []
        self.keyboards: dict[str, tuple[str, Keyboard]] = {}  # room -> latest (message ref, buttons)

    def _print(self, where: str, text: str, keyboard: Keyboard = ()) -> None:
        body = to_plain(text).rstrip("\n").replace("\n", "\n    ")
        line = f"  [{where}] bot: {body}"
        if keyboard:
            line += "\n  " + _buttons(keyboard)
        self.transcript.append(line)
        print(line, file=self._out, flush=True)

    def _where(self, room: str) -> str:
        name = room.split(":", 1)[1]
        return f"{name[1:]} (private)" if name.startswith("@") else f"#{name}"

    async def deliver(self, effect: Effect) -> Delivered | None:
        match effect:
            case Send(room=room, text=text, buttons=buttons):
                self._print(self._where(room), text, buttons)
            case SendPrivate(actor=actor, text=text, buttons=buttons):
                self._print(f"{actor.split(':', 1)[1]} (private)", text, buttons)
            case SendNativePoll(room=room, text=text, options=options):
                self._print(self._where(room), text or " | ".join(options))
            case Edit(room=room, ref=ref, text=text, buttons=buttons):
                if room in self.keyboards and self.keyboards[room][0] == ref:
                    self.keyboards[room] = (ref, buttons)
                if self.show_edits:
                    self._print(self._where(room) + " edited", text)
                return Delivered()
            case CloseNativePoll():
                return Delivered()
            case Delete():
                return None  # a line typed at the console stays on the screen
            case AnswerPress(press=press, text=text):
                self._print(f"{press.actor.label} (private)", text)
                return Delivered()
            case SendFile(to=to, name=name, data=data, caption=caption, private=private):
                path = self._write(name, data)
                where = f"{to.split(':', 1)[1]} (private)" if private else self._where(to)
                self._print(where, f"{to_plain(caption)}\nfile: {path}" if caption else f"file: {path}")
        n = next(self._ids)
        match effect:
            case Send(room=room, buttons=buttons) if buttons:
                self.keyboards[room] = (str(n), buttons)
            case SendPrivate(actor=actor, buttons=buttons) if buttons:
                self.keyboards[f"{PLATFORM}:@{actor.split(':', 1)[1]}"] = (str(n), buttons)
        return Delivered(ref=str(n), native_ref=f"native-{n}" if isinstance(effect, SendNativePoll) else None)

    def _write(self, name: str, data: bytes) -> Path:
        """Write an exported file into the exports folder (beside the database); the name the
        core gave is a plain one (see bot/kernel/csv_export.py), kept to its last part anyway."""
        self.exports.mkdir(parents=True, exist_ok=True)
        path = self.exports / Path(name).name
        path.write_bytes(data)
        return path

    async def is_admin(self, actor_id: str, room_id: str) -> bool:
        return actor_id in self._organisers

    async def is_member(self, actor_id: str, room_id: str) -> bool:
        return True


class ConsoleSession:
    """Reads lines, plays them as messages, and prints what the bot answers."""

    def __init__(self, core: App, transport: ConsoleTransport, out: TextIO, echo: bool) -> None:
        self.core = core
        self.transport = transport
        self.out = out
        self.echo = echo

    async def play(self, line: str) -> None:
        item = read_line(line)
        if item is None:
            return
        if self.echo:
            print(line.rstrip("\n"), file=self.out, flush=True)
        match item:
            case Unreadable(line=text):
                print(f"  (console) cannot read {text!r}: write NAME: MESSAGE, NAME (private): MESSAGE, "
                      "or :advance 30m, or :join NAME, or :leave NAME", file=self.out, flush=True)
            case Joins(who=who, room=room, leaves=leaves):
                actor, where, now = Actor(f"{PLATFORM}:{who}", who), self._room(who, room), self.core.clock.now()
                if leaves:
                    await self.core.left(Left(actor, where, now))
                else:
                    await self.core.joined(Joined(actor, where, now))
            case Advance(duration=d):
                delta = parse_duration(d)
                if delta is None:
                    print(f"  (console) :advance needs a duration such as 30m, not {d!r}", file=self.out, flush=True)
                    return
                await self.core.advance(delta)
            case Said(who=who, room=room, text=text):
                await self.core.handle(Message(Actor(f"{PLATFORM}:{who}", who), self._room(who, room), text))
            case Press(who=who, room=room, label=label):
                await self._press(who, self._room(who, room), label)
        await asyncio.sleep(0)  # let follow-up tasks (tally refreshes) run in order

    def _room(self, who: str, room: str | None) -> Room:
        if room == "":
            return Room(f"{PLATFORM}:@{who}", private=True)
        return Room(self.transport.shared_room if room is None else f"{PLATFORM}:{room}")

    async def _press(self, who: str, room: Room, label: str) -> None:
        """A press on the latest message in ROOM with a button so labelled; a deep-link button
        opens the private chat with its payload, as a Telegram client would."""
        actor = Actor(f"{PLATFORM}:{who}", who)
        ref, keyboard = self.transport.keyboards.get(room.id, ("", ()))
        button = next((b for row in keyboard for b in row if b.label.casefold() == label.casefold()), None)
        if button is None:
            shown = " ".join(f"[{b.label}]" for row in keyboard for b in row) or "none"
            print(f"  (console) no button [{label}] here; the buttons are: {shown}", file=self.out, flush=True)
            return
        if button.start is not None:
            await self.core.handle(Message(actor, Room(f"{PLATFORM}:@{who}", private=True), f"/start {button.start}"))
        elif button.data is not None:
            await self.core.handle(ButtonPress(actor, room, button.data, message_ref=ref))

    async def play_all(self, lines: Iterable[str]) -> None:
        for line in lines:
            await self.play(line)


async def run_console(
    config: Config,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    clock: Clock | None = None,
    interactive: bool | None = None,
) -> int:
    """Play what is typed (or piped) until the input ends; returns how many lines were read."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    if interactive is None:
        interactive = stdin.isatty()
    transport = ConsoleTransport(config, out)
    core = await bootstrap(config, clock or Clock(), Transports(transport))
    await core.start()
    session = ConsoleSession(core, transport, out, echo=not interactive)
    read = 0
    try:
        if interactive:
            organisers = ", ".join(config.console_organisers)
            print(
                f"Quorum console — room #{config.console_room}, organisers: {organisers}, times in {config.timezone}"
                f"{'' if config.source else ' (the default: set bot.timezone in quorum.toml)'}.\n"
                "Type NAME: MESSAGE to speak in the room, NAME (private): MESSAGE to write to the bot,\n"
                f"e.g.  {config.console_organisers[0]}: /poll Lunch? | Pizza | Soup --closes 10m\n"
                "Ctrl-D quits.",
                file=out,
                flush=True,
            )
        # Lines are read beside the event loop, so what the bot does on its own (a reminder
        # round, a deadline) goes on while it waits for the next one.
        while line := await asyncio.to_thread(stdin.readline):
            read += 1
            await session.play(line)
        await core.outbox.drain()  # what was queued before the end of the input is delivered
    finally:
        await core.stop()
    return read
