"""Files (exports) reach every platform: a platform whose adapter sends no files yet gets a
text file as messages, escaped once and cut into parts."""

from __future__ import annotations

from bot.app.transports import Transports
from bot.kernel.effects import Delivered, Effect, Send, SendFile, SendPrivate


async def test_a_platform_without_files_gets_a_text_file_as_messages() -> None:
    class TextOnly:
        platform, prefixes, bot_username, edit_interval = "xx", ("/",), None, 0.0

        def __init__(self) -> None:
            self.sent: list[Effect] = []

        async def deliver(self, effect: Effect) -> Delivered | None:
            self.sent.append(effect)
            return Delivered(ref=str(len(self.sent)))

        async def is_admin(self, actor_id: str, room_id: str) -> bool:
            return False

        async def is_member(self, actor_id: str, room_id: str) -> bool:
            return False

    platform = TextOnly()
    transports = Transports(platform)
    assert await transports.deliver(SendFile("xx:ann", "S1.csv", b"name\n<Ann>\n", "S1 sign-ups", private=True))
    [message] = platform.sent
    assert isinstance(message, SendPrivate) and message.actor == "xx:ann"
    assert "S1 sign-ups" in message.text and "&lt;Ann&gt;" in message.text
    await transports.deliver(SendFile("xx:room", "e.blt", b"x\n" * 3000, "Ballots"))
    assert all(isinstance(m, Send) for m in platform.sent[1:]) and "part 1 of" in platform.sent[1].text
