"""The web server over HTTP: the auditor's pages, their headers, /healthz and /metrics.

What a browser shows is checked in tests/ops/test_browser.py; here the answers themselves: the
link in the result message, what is served and what is not, the headers, the health turning
bad when the database goes, and the metrics as Prometheus' own parser reads them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shlex
from datetime import timedelta
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from yarl import URL

from adapters.web import WebServer
from adapters.web.server import CSP, SERVER
from bot.engines.sortition.cli import main as sortition_main
from bot.engines.sortition.document import seal
from bot.kernel.config import WebConfig, parse_config
from tests.helpers import Chat, import_roll
from tests.ops.conftest import PUBLIC, Site
from tests.ops.scripts import closed_election, drawn_panel, link_in


async def _get(url: str, **kwargs: object) -> tuple[int, dict[str, str], str]:
    async with aiohttp.ClientSession() as http, http.get(url, allow_redirects=False, **kwargs) as r:  # type: ignore[arg-type]
        return r.status, dict(r.headers), await r.text()


async def _post(url: str, data: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.post(url, data=data) as r:
        return r.status, await r.text()


async def test_a_closed_proposal_is_linked_from_its_result_and_served_with_strict_headers(site: Site) -> None:
    chat = site.chat
    await chat.say("chair: /poll Adopt the <b>budget</b> & \"plan\"?", "ann: /vote 1 yes", "bob: /vote 1 no",
                   "cat: /vote 1 yes")
    said = await chat.say("chair: /close 1")
    page = link_in(said)
    status, headers, html = await _get(site.url(page))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Server"] == SERVER  # neither the library nor its version, which tell an attacker what to try
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "'unsafe-inline'" not in csp
    assert "Adopt the &lt;b&gt;budget&lt;/b&gt; &amp; \"plan\"?" in html and "<b>budget" not in html
    assert "CARRIED" in html and "Votes cast: 3" in html
    assert 'class="fill w67"' in html  # 2 of 3 for: a bar two thirds long
    assert "<script" not in html and 'href="http' not in html  # nothing from elsewhere:
    assert re.findall(r' src="([^"]*)"', html) == ["chart.png"]  # only the result's chart, beside the page
    async with aiohttp.ClientSession() as http, http.get(site.url(page) + "chart.png") as r:
        assert r.status == 200 and r.headers["Content-Type"] == "image/png"
        assert (await r.read()).startswith(b"\x89PNG")
    status, headers, css = await _get(site.base + "/quorum.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and ".w67{width:67%}" in css


async def test_a_pages_times_are_the_organisations_with_their_zone_and_offset(tmp_path: Path) -> None:
    """An auditor in the organisation reads when the poll opened and closed on its own clocks,
    as the bot announced its deadline, with the zone and the offset from UTC that leave no hour
    in doubt, in English as the pages are."""
    config = parse_config({"web": {"public_url": PUBLIC}, "bot": {"timezone": "Europe/London"}})
    chat = await Chat.start(tmp_path, config)  # 1 June 2026, 12:00 UTC: 13:00 in London
    server = WebServer(WebConfig("127.0.0.1", 0, PUBLIC), chat.app)
    await server.start()
    try:
        await chat.say("chair: /poll Adopt the budget?", "ann: /vote 1 yes")
        chat.tick(timedelta(minutes=30))
        page = link_in(await chat.say("chair: /close 1"))
        status, _headers, html = await _get(Site(chat, server, f"http://127.0.0.1:{server.port}").url(page))
        assert status == 200
        assert ("opened Mon 01 Jun 2026 13:00 (UTC+01:00, Europe/London) · closed Mon 01 Jun 2026 13:30 "
                "(UTC+01:00, Europe/London)") in html, html
    finally:
        await server.stop()
        await chat.stop()


async def test_nothing_is_served_for_an_open_poll_a_wrong_link_or_a_bare_id(site: Site) -> None:
    chat = site.chat
    await chat.say("chair: /poll Lunch? | Pizza | Soup", "ann: /vote 1 Pizza")
    links = chat.app.audit.links
    open_page = site.base + links.path("poll", 1)
    status, headers, html = await _get(open_page)
    assert status == 404 and "still open" in html and headers["Content-Security-Policy"]
    await chat.say("chair: /close 1")
    assert (await _get(open_page))[0] == 200
    token = links.token("poll", 1)
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    for path in (f"/poll/{forged}/", "/poll/1/", f"/poll/{links.token('draw', 1)}/", f"/poll/{token}/ballots.blt",
                 f"/draw/{links.token('draw', 1)}/", "/admin"):
        status, _, _ = await _get(site.base + path)
        assert status == 404, path
    status, headers, _ = await _get(site.base + f"/poll/{token}")
    # Sent on relative to the address asked for: behind a proxy that serves the pages under a
    # path of its own (the public address's /audit), the browser stays under it.
    assert status == 302 and headers["Location"] == f"{token}/"
    assert str(URL(f"{PUBLIC}/poll/{token}").join(URL(headers["Location"]))) == f"{PUBLIC}/poll/{token}/"
    status, headers, _ = await _get(site.base + f"/draw/{links.token('draw', 1)}")
    assert status == 302 and headers["Location"] == f"{links.token('draw', 1)}/"


async def test_a_secret_ballot_shows_receipts_and_checks_a_code_but_never_a_choice(site: Site) -> None:
    chat = site.chat
    await chat.say("chair: /poll Officer? | Ann Zebra | Bob Quagga --secret")
    await chat.say("ann (private): /vote 1 Ann Zebra", "bob (private): /vote 1 Bob Quagga",
                   "cat (private): /vote 1 Ann Zebra")
    said = await chat.say("ann (private): /receipt 1")
    code = re.search(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", said).group(0)  # type: ignore[union-attr]
    page = link_in(await chat.say("chair: /close 1"))
    status, _, html = await _get(site.url(page))
    assert status == 200 and code in html and html.count("<li>") == 3
    status, answer = await _post(site.url(page) + "receipt", {"code": code.lower().replace("-", "")})
    assert status == 200 and 'id="verdict">Counted<' in answer
    assert "Zebra" not in answer.split("</title>")[1] and "Quagga" not in answer
    status, answer = await _post(site.url(page) + "receipt", {"code": "ABCD-EF23-4567"})
    assert status == 200 and 'id="verdict">Not found<' in answer


@pytest.mark.not_on_postgresql("deletes the SQLite file; the server's database is dropped in the next test")
async def test_health_turns_bad_when_the_database_is_gone(site: Site, tmp_path: Path) -> None:
    status, headers, body = await _get(site.base + "/healthz")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert '"ok": true' in body and '"console": true' in body
    for name in ("quorum.db", "quorum.db-wal", "quorum.db-shm"):
        await asyncio.to_thread((tmp_path / name).unlink, missing_ok=True)
    status, _, body = await _get(site.base + "/healthz")
    assert status == 503 and '"database": false' in body and '"ok": false' in body


@pytest.mark.postgresql_run("drops the test's database on the server; SQLite's file is deleted in the test above")
async def test_health_turns_bad_when_the_servers_database_is_gone(site: Site) -> None:
    status, _, body = await _get(site.base + "/healthz")
    assert status == 200 and '"ok": true' in body
    url = site.chat.app.config.database_url
    assert url is not None
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:  # the database goes, and every connection to it with it
        await admin.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()
    status, _, body = await _get(site.base + "/healthz")
    assert status == 503 and '"database": false' in body and '"ok": false' in body


async def test_metrics_after_a_scripted_ballot_parse_with_prometheus_own_parser(site: Site) -> None:
    chat = site.chat
    await chat.say("chair: /poll Lunch? | Pizza | Soup", "chair: /poll Tea? | Yes | No",
                   "ann: /vote 1 Pizza", "bob: /vote 1 Soup", "cat: /vote 1 Pizza", "ann: /vote 2 Yes",
                   "chair: /close 2")
    status, headers, text = await _get(site.base + "/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert samples[("quorum_votes_acknowledged_total", ())] == 4
    assert samples[("quorum_commit_seconds_count", ())] >= 4
    assert samples[("quorum_open_polls", ())] == 1
    assert ("quorum_outbox_backlog", ()) in samples and ("quorum_outbox_oldest_seconds", ()) in samples
    assert ("quorum_scheduler_lag_seconds", ()) in samples
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {"quorum_platform_retries", "quorum_platform_rate_limited"} <= names
    assert "ann" not in text and "Pizza" not in text and "Lunch" not in text


async def test_a_ranked_election_shows_its_stage_table_and_gives_its_ballots(site: Site) -> None:
    page = site.url(await closed_election(site.chat))
    status, _, html = await _get(page)
    assert status == 200 and "The count, stage by stage" in html and "<table>" in html
    assert "Elected: " in html
    status, headers, blt = await _get(page + "ballots.blt")
    assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Content-Disposition"] == 'attachment; filename="poll-1.blt"'
    assert blt.splitlines()[0] == "4 2" and '"Committee"' in blt


async def test_a_card_vote_election_withholds_its_ballots_and_says_why(site: Site) -> None:
    chat = site.chat
    codes = await import_roll(chat, "name,number,weight\nAnn Smith,1,100\nBob Jones,2,50\n")
    for who, code in codes.items():
        await chat.say(f"{who} (private): /join {code}")
    await chat.say("chair: /poll Chair? | Ann | Bob --ranked --roll --card", "ann (private): /rank 1 1 2",
                   "bob (private): /rank 1 2 1")
    page = site.url(link_in(await chat.say("chair: /close 1")))
    status, _, html = await _get(page)
    assert status == 200 and "The count, stage by stage" in html
    assert 'href="ballots.blt"' not in html and "ballots of a card vote are not published" in html
    status, _, _ = await _get(page + "ballots.blt")
    assert status == 404


async def test_an_election_short_of_its_quorum_shows_why_nobody_was_elected(site: Site) -> None:
    chat = site.chat
    await chat.say("chair: /poll Chair? | Ann | Bob | Cat --ranked --quorum 3", "ann (private): /rank 1 2 1")
    status, _, html = await _get(site.url(link_in(await chat.say("chair: /close 1"))))
    assert status == 200 and "Not quorate, nobody elected: quorum 3 not met: 1 voted" in html
    assert "Elected" not in html and "chart.png" not in html and "<table>" not in html
    assert 'href="ballots.blt"' in html  # the ballots, counted by nobody, for anyone to check the turnout


async def test_a_drawn_panel_is_verified_by_the_server_and_by_the_command_it_shows(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page, seated = await drawn_panel(site.chat)
    status, _, html = await _get(site.url(page))
    assert status == 200 and "<h1>Citizens' &lt;assembly&gt;</h1>" in html
    assert "Person" not in html and "console:" not in html  # tickets and answers, never names
    status, _, answer = await _get(site.url(page) + "verify")
    assert status == 200 and 'id="verdict">Verified:' in answer
    assert f"Seated: <code>{' '.join(map(str, seated))}</code>" in answer
    status, headers, document = await _get(site.url(page) + "pool-1.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    # The command line the page shows, run offline on the downloaded document, seats the same.
    command = re.search(r"<pre>(quorum sortition verify .+?)</pre>", html).group(1)  # type: ignore[union-attr]
    args = shlex.split(command.replace("&#x27;", "'").replace("&quot;", '"'))[3:]
    (tmp_path / args[0]).write_text(document, encoding="utf-8")
    args[0] = str(tmp_path / args[0])
    capsys.readouterr()
    assert sortition_main(["verify", *args]) == 0
    printed = capsys.readouterr().out
    assert all(f"ticket {t}:" in printed for t in seated)
    # A forger who swaps tickets between groups and re-seals the file gets a self-consistent
    # document with a different panel; the command pins the commitment published before the draw.
    forged = json.loads(document)
    del forged["commitment"]
    first, second = forged["groups"][0]["tickets"], forged["groups"][1]["tickets"]
    first[0], second[0] = second[0], first[0]
    first.sort()
    second.sort()
    (tmp_path / "pool-1.json").write_text(json.dumps(seal(forged)), encoding="utf-8")
    assert sortition_main(["verify", *args]) != 0
    assert "commitment" in capsys.readouterr().err.lower()



@pytest.mark.not_on_postgresql("SQLite's write-ahead log checkpoints; a PostgreSQL server checkpoints its own WAL")
async def test_quorum_checkpoints_can_be_left_to_a_replicator(tmp_path: Path) -> None:
    """``bot.wal_checkpoints = false``: the bot runs no checkpoints of its own (README: Replication)."""
    own = await Chat.start(tmp_path)
    await asyncio.to_thread((tmp_path / "left").mkdir)
    left = await Chat.start(tmp_path / "left", parse_config({"bot": {"wal_checkpoints": False}}))
    try:
        assert own.app.database.checkpoints_running and not left.app.database.checkpoints_running
    finally:
        await own.stop()
        await left.stop()


async def test_a_receipt_form_that_cannot_be_read_is_answered_400_with_a_short_page(site: Site) -> None:
    """A body that is not UTF-8, or a multipart body that is malformed, is the sender's
    mistake: a 400 with a short page, not a server error."""
    chat = site.chat
    await chat.say("chair: /poll Officer? | Ann | Bob --secret", "ann (private): /vote 1 Ann")
    page = site.url(link_in(await chat.say("chair: /close 1"))) + "receipt"
    bodies = [
        (b"code=\xff\xfe\xfd", "application/x-www-form-urlencoded"),
        (b"--x\r\nContent-Disposition: form-data\r\n\r\nABC\r\n", "multipart/form-data; boundary=x"),
        (b"garbage", "multipart/form-data"),
    ]
    async with aiohttp.ClientSession() as http:
        for body, kind in bodies:
            async with http.post(page, data=body, headers={"Content-Type": kind}) as r:
                text = await r.text()
                assert r.status == 400, (body, kind, r.status, text[:200])
                assert r.headers["Content-Type"].startswith("text/html") and "receipt code" in text
                assert r.headers["X-Content-Type-Options"] == "nosniff"
        # and the form still works
        status, answer = await _post(page, {"code": "ABCD-EF23-4567"})
        assert status == 200 and 'id="verdict">Not found<' in answer


async def test_refusals_carry_the_same_headers_and_a_short_answer(site: Site) -> None:
    """A wrong method, a form too long, a file sent as the receipt code, a redirect: each is
    answered briefly, with the same Content-Security-Policy, nosniff and no-store as a page."""
    chat = site.chat
    await chat.say("chair: /poll Officer? | Ann | Bob --secret", "ann (private): /vote 1 Ann")
    page = site.url(link_in(await chat.say("chair: /close 1")))
    upload = aiohttp.FormData()
    upload.add_field("code", b"ABCD-EF23-4567", filename="code.txt", content_type="text/plain")
    asked = [("POST", site.base + "/healthz", {}, 405), ("GET", page + "receipt", {}, 405),
             ("DELETE", page, {}, 405), ("GET", page.rstrip("/"), {}, 302),
             ("POST", page + "receipt", {"data": {"code": "A" * 5000}}, 413),
             ("POST", page + "receipt", {"data": upload}, 400)]
    async with aiohttp.ClientSession() as http:
        for method, url, kwargs, expected in asked:
            async with http.request(method, url, allow_redirects=False, **kwargs) as r:  # type: ignore[arg-type]
                text = await r.text()
                assert r.status == expected, (method, url, r.status, text[:200])
                assert r.headers["Content-Security-Policy"].startswith("default-src 'none'"), (method, url)
                assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Cache-Control"] == "no-store"
                assert r.headers["Server"] == SERVER, (method, url, r.headers["Server"])
                assert len(text) < 2000 and "Traceback" not in text and "FileField" not in text, text
                if expected in (400, 413):
                    assert r.headers["Content-Type"].startswith("text/html") and "receipt code" in text, text


async def test_a_request_that_is_not_http_is_answered_400_and_leaves_no_error_in_the_log(
    site: Site, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anyone on the internet can send a malformed request: it is their mistake, answered 400,
    and not an error with a traceback and their address in the operator's log."""
    requests = [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/9.9\r\n\r\n"]
    for data in requests:
        reader, writer = await asyncio.open_connection("127.0.0.1", site.server.port)
        writer.write(data)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        assert b"400 Bad Request" in answer, answer[:300]
    await asyncio.sleep(0.1)
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not errors, [(r.name, r.getMessage()) for r in errors]

    async def broken(token: str) -> None:
        raise RuntimeError("a fault of the server's own")

    monkeypatch.setattr(site.chat.app.audit, "poll", broken)
    status, headers, text = await _get(site.base + "/poll/1-0/")
    assert status == 500 and "Traceback" not in text and len(text) < 200, text
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"
    assert headers["Server"] == SERVER, headers
    assert not [r for r in caplog.records if "1-0" in r.getMessage()]  # a page's key is not logged
    assert [r.exc_info[1] for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]


async def _raw(site: Site, data: bytes) -> tuple[int, dict[str, str]]:
    """Send DATA as it is over a socket; the answer's status and headers (names in lower case)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", site.server.port)
    try:
        writer.write(data)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    return int(head[0].split()[1]), {name.lower(): value for name, value in headers.items()}


async def test_the_answers_aiohttp_makes_itself_carry_the_same_headers(site: Site) -> None:
    """A request aiohttp cannot read is answered before any page or middleware is reached: a
    malformed request line, a bad header, a header too long, an unknown HTTP version, bytes that
    are not HTTP. Each answer carries the Content-Security-Policy, nosniff, no referrer and
    no-store as a page does."""
    malformed = [b"GARBAGE\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n",
                 b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
                 b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(32) + b"\r\n\r\n",
                 b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello"]
    for data in malformed:
        status, headers = await _raw(site, data)
        assert 400 <= status < 500, (data[:40], status)
        assert headers.get("content-security-policy") == CSP, (data[:40], headers)
        assert headers.get("x-content-type-options") == "nosniff", (data[:40], headers)
        assert headers.get("referrer-policy") == "no-referrer", (data[:40], headers)
        assert headers.get("cache-control") == "no-store", (data[:40], headers)
        assert headers.get("server") == SERVER, (data[:40], headers)
    # and a well-formed request still gets its page
    status, headers = await _raw(site, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200 and headers["content-security-policy"] == CSP and headers["server"] == SERVER
