"""The auditor's pages in a real browser: Debian's headless chromium, at a phone's width.

Each page is loaded as an auditor would open the link from the result message; what the
browser renders is read from its DOM, its response headers from the DevTools protocol, and a
screenshot of each is saved under the test run's temporary folder (``screenshots/``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.ops.browser import Browser
from tests.ops.conftest import Site
from tests.ops.scripts import HOSTILE, closed_election, closed_proposal, closed_secret_ballot, drawn_panel

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots", numbered=False)


@pytest.fixture
async def browser(shots: Path) -> AsyncIterator[Browser]:
    b = await Browser.launch(shots)
    try:
        yield b
    finally:
        await b.close()


def _header(response: dict, name: str) -> str:
    return next((v for k, v in response["headers"].items() if k.lower() == name), "")


async def _fits_a_phone(browser: Browser) -> None:
    width = await browser.eval("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is wider than the phone: {width}"


def _saved(path: Path) -> None:
    assert path.read_bytes().startswith(PNG) and path.stat().st_size > 2000


async def test_a_closed_proposal_with_a_hostile_title(site: Site, browser: Browser) -> None:
    response = await browser.goto(site.url(await closed_proposal(site.chat)))
    assert response["status"] == 200 and response["mimeType"] == "text/html"
    csp = _header(response, "content-security-policy")
    assert "default-src 'none'" in csp and "style-src 'self'" in csp
    # The title is shown as typed: text in the DOM, never elements.
    assert await browser.eval("document.querySelector('h1').textContent") == HOSTILE
    assert await browser.eval("document.querySelectorAll('script, img:not(#chart-image), b').length") == 0
    # The chart image the chat was sent, served beside the page and allowed by the policy.
    assert await browser.eval("new Promise(r => { const i = document.getElementById('chart-image');"
                              " i.complete ? r(i.naturalWidth) : (i.onload = () => r(i.naturalWidth),"
                              " i.onerror = () => r(0)); })") == 900
    assert (await browser.eval("document.title")).startswith(HOSTILE)
    assert "CARRIED" in (await browser.eval("document.getElementById('outcome').textContent"))
    # The chart: bars drawn by the style sheet the policy allows (2 of 3 for, abstention aside).
    widths = await browser.eval("[...document.querySelectorAll('.fill')].map(e => e.getBoundingClientRect().width)")
    track = await browser.eval("document.querySelector('.track').getBoundingClientRect().width")
    assert track > 0 and abs(widths[0] - track * 0.67) < 2 and abs(widths[1] - track * 0.33) < 2
    await _fits_a_phone(browser)
    _saved(await browser.screenshot("proposal"))


async def test_a_ranked_election_stage_table_and_blt_download(site: Site, browser: Browser, tmp_path: Path) -> None:
    await browser.goto(site.url(await closed_election(site.chat)))
    head = await browser.eval("[...document.querySelectorAll('thead th')].map(e => e.textContent)")
    assert head[:2] == ["Stage", "Action"] and {"Ann", "Bob", "Cat", "Dan"} <= set(head)
    assert await browser.eval("document.querySelectorAll('tbody tr').length") >= 2
    assert (await browser.eval("document.getElementById('outcome').textContent")).startswith("Elected: ")
    await _fits_a_phone(browser)
    _saved(await browser.screenshot("election"))
    blt = await browser.download("document.getElementById('blt').click()", tmp_path)
    lines = blt.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "4 2" and lines[-1] == '"Committee"' and len(lines) == 1 + 5 + 1 + 4 + 1


async def test_a_receipt_is_found_counted_and_a_wrong_code_not_found(site: Site, browser: Browser) -> None:
    page, code = await closed_secret_ballot(site.chat)
    await browser.goto(site.url(page))
    codes = await browser.eval("[...document.querySelectorAll('#receipts li')].map(e => e.textContent)")
    assert len(codes) == 3 and code in codes
    totals = await browser.eval("[...document.querySelectorAll('#chart .n')].map(e => Number(e.textContent))")
    assert totals == [2, 1]  # the totals, as the chat announced them; nothing per voter
    _saved(await browser.screenshot("receipts"))
    submit = ("document.querySelector('input[name=code]').value = {!r};"
              "document.querySelector('form').requestSubmit()")
    response = await browser.follow(submit.format(code.lower()))
    assert response["status"] == 200 and _header(response, "cache-control") == "no-store"
    assert await browser.eval("document.getElementById('verdict').textContent") == "Counted"
    shown = await browser.eval("document.body.textContent")
    assert "Zebra" not in shown and "Quagga" not in shown  # no choice on a receipt, ever
    _saved(await browser.screenshot("receipt-counted"))
    await browser.goto(site.url(page))
    await browser.follow(submit.format("ABCD-EF23-4567"))
    assert await browser.eval("document.getElementById('verdict').textContent") == "Not found"
    _saved(await browser.screenshot("receipt-not-found"))


async def test_a_sortition_draw_is_verified_from_its_page(site: Site, browser: Browser) -> None:
    page, seated = await drawn_panel(site.chat)
    await browser.goto(site.url(page))
    assert await browser.eval("document.querySelector('h1').textContent") == "Citizens' <assembly>"
    tickets = await browser.eval("[...document.querySelectorAll('#panel tbody tr td:first-child')]"
                                 ".map(e => Number(e.textContent))")
    assert tickets == seated
    assert "Person" not in await browser.eval("document.body.textContent")  # tickets, never names
    assert (await browser.eval("document.getElementById('randomness').textContent")) == "17 4 29 8 51"
    assert "Replacement round with randomness '99 3 12'" in await browser.eval("document.body.textContent")
    await _fits_a_phone(browser)
    _saved(await browser.screenshot("draw"))
    response = await browser.follow("document.getElementById('verify').click()")
    assert response["status"] == 200 and response["url"].endswith("/verify")
    verdict = await browser.eval("document.getElementById('verdict').textContent")
    assert verdict.startswith("Verified: the published inputs give exactly the panel that was seated.")
    assert "quorum sortition verify pool-1.json --randomness '17 4 29 8 51' --round" in (
        await browser.eval("document.body.textContent"))
    _saved(await browser.screenshot("draw-verified"))
