"""Page links: made and checked with the key alone; a link not made by the key opens nothing."""

from __future__ import annotations

import pytest

from bot.kernel.config import parse_config
from bot.kernel.errors import ConfigError
from bot.kernel.weblinks import PageLinks


def test_a_link_opens_its_own_page_only() -> None:
    links = PageLinks("key", "https://q.example.org/audit/")
    token = links.token("poll", 7)
    assert links.url("poll", 7) == f"https://q.example.org/audit/poll/{token}/"
    assert links.read("poll", token) == 7
    assert links.read("draw", token) is None  # another kind of page
    assert PageLinks("other key", None).read("poll", token) is None  # another bot's key
    for wrong in ("7", "7-", f"8-{token.split('-')[1]}", token[:-1], token + "0", "-" + token, "٧-abc", "x" * 500):
        assert links.read("poll", wrong) is None, wrong
    assert PageLinks("key", None).url("poll", 7) is None  # not served: no link is published


def test_the_web_section() -> None:
    assert parse_config({}).web is None
    web = parse_config({"web": {"listen": "[::1]:9000"}}).web
    assert web is not None and (web.host, web.port, web.public_url) == ("::1", 9000, None)
    web = parse_config({"web": {"public_url": "https://q.example.org/"}}).web
    assert web is not None and (web.host, web.port, web.public_url) == ("127.0.0.1", 8080, "https://q.example.org")
    for bad, said in (({"listen": "8080"}, "web.listen"), ({"listen": "x:99999"}, "web.listen"),
                      ({"public_url": "q.example.org"}, "web.public_url"), ({"port": 1}, "unknown key web.port")):
        with pytest.raises(ConfigError, match=said):
            parse_config({"web": bad})
