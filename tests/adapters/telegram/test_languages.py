"""Members' own languages on Telegram, through python-telegram-bot and the peer: a command menu
per shipped language (``setMyCommands`` with ``language_code``, shown as Telegram picks it), the
app's ``language_code`` as a member's default, a group in its organisers' language, and what the
adapter says itself (a command sent as a channel, the bot removed) in its reader's language."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.telegram.harness import TelegramBot, group_with_bot, started
from tests.peers.telegram import Chat, TelegramPeer, User


def _menu(peer: TelegramPeer, chat: Chat, user: User) -> dict[str, str]:
    return {c["command"]: c["description"] for c in peer.menu_shown(chat, user)}


async def test_each_shipped_language_has_its_command_menu(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    ola, carys = peer.create_user("Ola", language_code="pl-PL"), peer.create_user("Carys", language_code="cy")
    udo = peer.create_user("Udo", language_code="de")
    group = group_with_bot(peer, carys, [ola, udo])
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        polish = _menu(peer, peer.private_chat(ola), ola)
        assert polish["join"] == "połącz konto czatu ze swoim członkostwem (wyślij prywatnie)"
        assert polish["help"] == "lista poleceń albo objaśnienie jednego z nich"
        # No German catalogue: Udo's app sees the list set for every language, in the default.
        assert _menu(peer, peer.private_chat(udo), udo)["join"] == (
            "link your chat account to your membership (send it privately)")
        welsh_group = _menu(peer, group, carys)
        assert welsh_group["help"] == "rhestru'r gorchmynion, neu esbonio un" and "join" not in welsh_group
        assert _menu(peer, group, udo)["help"] == "list the commands, or explain one"
        assert set(_menu(peer, group, ola)) == set(welsh_group)  # the same commands in every language
    finally:
        await bot.stop()


async def test_a_polish_app_and_a_welsh_group(tmp_path: Path, fast_telegram_peer: TelegramPeer) -> None:
    peer = fast_telegram_peer
    olga, max_ = peer.create_user("Olga", language_code="pl-PL"), peer.create_user("Max", language_code="en")
    started(peer, olga)
    group = group_with_bot(peer, olga, [max_])
    channel = peer.create_channel("Max's channel", max_)
    bot = await TelegramBot.start(tmp_path, peer)
    try:
        private = peer.private_chat(olga)
        peer.send_command(olga, "help", "", private)  # her app's language, chosen by nobody
        await peer.wait_for_bot_message(private, containing="Polecenia Quorum")
        peer.send_command(olga, "language", "cy", group)
        await peer.wait_for_bot_message(group, containing="O hyn ymlaen rwy'n ysgrifennu yn yr ystafell hon")
        # Max's app is English, but the group reads Welsh: the adapter's own refusal too.
        peer.send_as_channel(max_, channel, "/close@QuorumTestBot 1", group)
        await peer.wait_for_bot_message(group, containing="Fe ysgrifennoch fel sianel")
        # A wrong command privately: refused in Polish, nothing changed.
        before = await bot.query("SELECT count(*) FROM seen_events")
        peer.send_command(olga, "whoami", "now", private)
        await peer.wait_for_bot_message(private, containing="Użycie: /whoami (bez argumentów).")
        assert await bot.query("SELECT count(*) FROM polls") == [(0,)]
        assert await bot.query("SELECT count(*) FROM seen_events") == before
        # Removed from the Welsh group: told privately, in her own language.
        peer.remove_bot_from_group(group, olga)
        told = await peer.wait_for_bot_message(private, containing="Usunięto mnie z grupy Branch")
        assert "nie są dostarczane" in (told.text or "")
    finally:
        await bot.stop()
