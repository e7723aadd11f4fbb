"""The auditor's pages as HTML: plain, readable on a phone, no script, no external asset.

Every value is put in through ``bot/kernel/markup.py`` (``markup``, ``lines``, ``esc`` escape
whatever is not Markup), the one escaping seam. Its escaping leaves quotes alone, which is safe
in element content but not inside an attribute; so no value from the database is ever put in
an attribute here. Attributes hold only what this module writes (class names, numbers, fixed
relative links). The bars are CSS widths chosen by class (``w0``…``w100``), since the
Content-Security-Policy forbids inline styles.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.app.audit import Bar, DrawView, PollView, StageRow, Verification
from bot.kernel.markup import Markup, code, lines, markup, pre

KIND = {"proposal": "proposal", "choice": "poll", "ranked": "ranked election"}

CSS = "\n".join([
    ":root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fdfdfc;--muted:#5d5d5d;--bar:#2f6f9f;--line:#ccc}",
    "@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#161616;--muted:#aaa;--bar:#6fa8d6;--line:#444}}",
    "body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,sans-serif}",
    "main{max-width:46rem;margin:0 auto;padding:1rem}",
    "h1{font-size:1.4rem;line-height:1.3;overflow-wrap:anywhere}h2{font-size:1.1rem;margin-top:1.6rem}",
    ".meta,footer{color:var(--muted);font-size:.9rem}footer{max-width:46rem;margin:2rem auto;padding:0 1rem}",
    ".outcome{font-weight:700;font-size:1.1rem}",
    "#chart-image{max-width:100%;height:auto}",
    ".bars{display:grid;grid-template-columns:minmax(6rem,auto) 1fr auto auto;gap:.3rem .6rem;align-items:center}",
    ".label{overflow-wrap:anywhere}.n,.pc{text-align:right;font-variant-numeric:tabular-nums}",
    ".track{background:var(--line);height:1rem;border-radius:2px;overflow:hidden}",
    ".fill{display:block;height:100%;background:var(--bar)}",
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.9rem}",
    "th,td{border:1px solid var(--line);padding:.2rem .4rem;text-align:right}th.text,td.text{text-align:left}",
    ".scroll{overflow-x:auto}",
    "pre,code{font-family:ui-monospace,monospace;font-size:.85rem;overflow-wrap:anywhere}",
    "pre{white-space:pre-wrap;background:color-mix(in srgb,var(--line) 30%,transparent);padding:.5rem}",
    ".codes{columns:9rem;list-style:none;padding:0;font-family:ui-monospace,monospace}",
    "form{margin:1rem 0}input{font:inherit;padding:.3rem;width:9rem}button{font:inherit;padding:.3rem .8rem}",
    ".verdict{font-size:1.3rem;font-weight:700}",
    *(f".w{n}{{width:{n}%}}" for n in range(101)),
]) + "\n"


def page(title: object, body: Iterable[object], depth: int = 2) -> str:
    """A whole page. DEPTH: how many folders below the site's root it is served (for the
    relative link to the style sheet, so the pages work under any path a proxy gives them)."""
    up = "../" * depth
    return markup(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        '<title>{} · Quorum</title><link rel="stylesheet" href="{}quorum.css"></head>\n'
        "<body><main>\n{}\n</main>"
        "<footer>Published by Quorum: read-only, no cookies, no tracking.</footer></body></html>\n",
        title, up, lines(*body),
    )


def not_found(depth: int) -> str:
    return page("Not found", [
        markup("<h1>{}</h1>", "Nothing here"),
        markup("<p>{}</p>", "The link may be mistyped, or the poll is still open: its page appears once it closes."),
    ], depth=depth)


def bad_form(depth: int) -> str:
    return page("Form not read", [
        markup("<h1>{}</h1>", "The form could not be read"),
        markup("<p>{}</p>", "Go back to the poll's page and type your receipt code into its form again."),
    ], depth=depth)


def _bar(bar: Bar) -> Markup:
    return markup(
        '<span class="label">{}</span><span class="track"><span class="fill w{}"></span></span>'
        '<span class="n">{}</span><span class="pc">{}</span>',
        bar.label, int(bar.width), bar.count, bar.share,
    )


def _stage_table(view: PollView) -> Markup:
    head = lines(*(markup("<th>{}</th>", c) for c in view.candidates))
    rows: list[Markup] = []
    for s in view.stages:
        rows.append(_stage_row(s))
    return markup(
        '<div class="scroll"><table><thead><tr><th>Stage</th><th class="text">Action</th>{}<th>Non-transferable</th>'
        '<th class="text">Decided</th></tr></thead><tbody>{}</tbody></table></div>',
        head, lines(*rows),
    )


def _stage_row(s: StageRow) -> Markup:
    cells = lines(*(markup("<td>{}</td>", v) for v in s.votes))
    return markup('<tr><td>{}</td><td class="text">{}</td>{}<td>{}</td><td class="text">{}</td></tr>',
                  s.number, s.action, cells, s.non_transferable, s.decided)


def poll_page(view: PollView) -> str:
    what = KIND.get(view.kind, "poll")
    body: list[object] = [
        markup("<h1>{}</h1>", view.question),
        markup('<p class="meta">{} {}{} · opened {} · closed {}</p>', what.capitalize(), view.id,
               f" · {view.rules}" if view.rules else "", view.opened, view.closed),
        markup("<h2>{}</h2>", "Result"),
        markup('<p class="outcome" id="outcome">{}</p>', view.outcome),
        markup('<p id="turnout">{}</p>', view.turnout),
    ]
    if view.bars:
        body.append(markup('<div class="bars" id="chart">{}</div>', lines(*(_bar(b) for b in view.bars))))
    if view.has_chart:
        body.append(markup('<p><img id="chart-image" src="chart.png" alt="{}"></p>',
                           "The result as a chart: the figures above, drawn"))
    if view.stages:
        how = f"Counted by {view.method}" + (f", quota {view.quota}" if view.quota else "") + "."
        body += [markup("<h2>{}</h2>", "The count, stage by stage"), markup("<p>{}</p>", how), _stage_table(view)]
    if view.has_blt:
        body.append(markup(
            '<p><a id="blt" href="ballots.blt">{}</a> {}</p>', "Download the ballots (BLT file, no names)",
            "to count them again with any STV program.",
        ))
    elif view.ballots_withheld:
        body.append(markup('<p id="blt-withheld">{}</p>', "The ballots of a card vote are not published: each "
                           "carries its delegate's weight, which would show how they ranked."))
    if view.secret:
        body += [
            markup("<h2>{}</h2>", "Receipts"),
            markup("<p>{}</p>", f"A secret ballot: no choice is shown, here or anywhere. Each ballot counted has a "
                                f"receipt code, which its voter was given privately; {len(view.receipts)} were "
                                "counted. Check yours:"),
            markup('<form method="post" action="receipt"><label>{} <input name="code" autocomplete="off" '
                   'autocapitalize="characters" spellcheck="false" maxlength="32" required></label> '
                   "<button>{}</button></form>", "Receipt code", "Check"),
            markup('<ul class="codes" id="receipts">{}</ul>', lines(*(markup("<li>{}</li>", c)
                                                                            for c in view.receipts))),
        ]
    return page(view.question, body)


def receipt_page(view: PollView, typed: str, counted: bool) -> str:
    verdict = "Counted" if counted else "Not found"
    said = (f"A ballot with this receipt code was counted in {KIND.get(view.kind, 'poll')} {view.id}." if counted else
            "No ballot counted in this poll has this receipt code. Check the code as you were given it "
            "(like 5538-EEE6-7CBB).")
    return page(f"{verdict}: {view.question}", [
        markup("<h1>{}</h1>", view.question),
        markup('<p class="verdict" id="verdict">{}</p>', verdict),
        markup("<p>{} {}</p>", "Receipt code:", code(typed)),
        markup("<p>{}</p>", said),
        markup('<p><a href="./">{}</a></p>', "Back to the result"),
    ])


def draw_page(view: DrawView) -> str:
    steps = [markup("<li>{}</li>", s) for s in view.steps]
    panel = lines(*(markup('<tr><td>{}</td><td class="text">{}</td></tr>', t, a) for t, a in view.panel))
    return page(view.title, [
        markup("<h1>{}</h1>", view.title),
        markup('<p class="meta">{}</p>', f"Sortition pool {view.id}: the panel drawn, and how to check it."),
        markup("<h2>{}</h2>", "Committed before the draw"),
        markup("<p>{} {}</p>", "Commitment (SHA-256 of the document):", code(view.commitment)),
        markup('<p><a id="document" href="pool-{}.json">{}</a></p>', int(view.id), "Download the sealed document"),
        markup("<details><summary>{}</summary>{}</details>", "The document", pre(view.document)),
        markup("<h2>{}</h2>", "The announced randomness"),
        markup('<p id="randomness">{}</p>', code(view.randomness)),
        *([markup("<h2>{}</h2>", "Since the draw"), markup("<ol>{}</ol>", lines(*steps))] if steps else []),
        markup("<h2>{}</h2>", "The panel"),
        markup('<div class="scroll"><table id="panel"><thead><tr><th>Ticket</th><th class="text">Answers</th>'
               "</tr></thead><tbody>{}</tbody></table></div>", panel),
        markup("<h2>{}</h2>", "Verify"),
        markup('<p><a id="verify" href="verify">{}</a> {}</p>', "Re-derive the panel now",
               "from the published document, the randomness and the steps above; or offline, with the document "
               "downloaded:"),
        pre(view.command),
    ])


def verify_page(view: DrawView, check: Verification) -> str:
    verdict = ("Verified: the published inputs give exactly the panel that was seated." if check.matches else
               "NOT VERIFIED: the published inputs do not give the panel that was seated.")
    return page(f"Verify: {view.title}", [
        markup("<h1>{}</h1>", view.title),
        markup('<p class="verdict" id="verdict">{}</p>', verdict),
        markup("<p>{} {}</p>", "Derived:", code(" ".join(map(str, check.derived)) or "none")),
        markup("<p>{} {}</p>", "Seated:", code(" ".join(map(str, check.published)) or "none")),
        pre("\n".join(check.lines)),
        markup("<p>{}</p>", "The same check, offline, with the document downloaded:"),
        pre(view.command),
        markup('<p><a href="./">{}</a></p>', "Back to the draw"),
    ])
