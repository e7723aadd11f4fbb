"""The escaping seam: text is escaped exactly once, markup never; mixing the two is safe."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.markup import Markup, b, code, esc, html_text, lines, markup, pre, to_html, to_plain

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(text)
def test_plain_text_reaches_a_platform_escaped_and_reads_back_as_typed(s: str) -> None:
    sent = to_html(s)
    assert "<" not in sent and ">" not in sent and html_text(sent) == s
    assert to_plain(s) == s


@given(text, text)
def test_markup_built_around_text_shows_the_text_and_only_the_core_tags(a: str, c: str) -> None:
    message = markup("{}: {} ({})", b(a), c, code(c))
    assert isinstance(message, Markup)
    assert to_plain(message) == f"{a}: {c} ({c})"
    assert to_html(message) == message  # markup passes the seam untouched, so is never escaped twice
    assert html_text(to_html(message)) == to_plain(message)


@given(text, text)
def test_mixing_escapes_the_plain_side_once(a: str, c: str) -> None:
    assert to_plain(b(a) + c) == a + c
    assert to_plain(c + b(a)) == c + a
    assert to_plain(lines(b(a), c, pre(c))) == f"{a}\n{c}\n{c}"
    assert esc(esc(a)) == esc(a)


def test_an_f_string_of_markup_is_plain_text_and_so_shows_its_tags() -> None:
    """Why renderers use ``markup()``: an f-string forgets what is markup, and the seam then
    escapes the tags too. Visible tags are a bug the scenario tests catch; live ones never happen."""
    leaked = f"{b('Poll 1')} <i>x</i>"
    assert not isinstance(leaked, Markup)
    assert to_html(leaked) == "&lt;b&gt;Poll 1&lt;/b&gt; &lt;i&gt;x&lt;/i&gt;"
