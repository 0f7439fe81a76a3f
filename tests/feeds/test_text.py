"""HTML and feed text to plain text, and title cleaning, table-driven."""

from __future__ import annotations

import pytest

from bot.feeds.text import clean_title, first_words, html_to_text, plain_to_text


@pytest.mark.parametrize(
    ("html", "text", "image"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo", None),
        ("<p>A  <b>bold</b>\n  move</p>", "A bold move", None),
        ("Line<br>break<br/>again", "Line\nbreak\nagain", None),
        ("<h2>Head</h2>Text after", "Head\n\nText after", None),
        ("<ul><li>a</li><li>b</li></ul>", "a\n\nb", None),
        ("<script>x()</script><style>p{}</style><p>kept</p>", "kept", None),
        ("<svg><title>icon</title></svg>Text", "Text", None),
        ("Caf&eacute;&nbsp;&amp;&#8217;s &lt;tag&gt;", "Café &’s <tag>", None),
        ("<div><div><p>deep</p></div></div>", "deep", None),
        ("<p>unclosed <i>tags", "unclosed tags", None),
        ('<p>x</p><img src="/a.png"><img src="/b.png">', "x", "/a.png"),
        ('<img src="data:image/png;base64,AA"><img src="b.png">', "", "b.png"),
        ('<img src="https://x.example/p.gif" width="1" height="1"><img src="c.jpg">', "", "c.jpg"),
        ('<img src="http://feeds.feedburner.com/~r/x/~4/abc">', "", None),
        ("no markup   at all", "no markup at all", None),
        ("Fish &amp; chips\n\nSecond  paragraph", "Fish & chips\n\nSecond paragraph", None),
        ("", "", None),
    ],
)
def test_html_to_text(html: str, text: str, image: str | None) -> None:
    result = html_to_text(html)
    assert (result.text, result.first_image) == (text, image)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("One.\n\nTwo.", "One.\n\nTwo."),
        ("One.\r\n\r\nTwo.", "One.\n\nTwo."),
        ("  spaced   out  \n  lines ", "spaced out\nlines"),
        ("a\n \t \nb", "a\n\nb"),
    ],
)
def test_plain_to_text(raw: str, text: str) -> None:
    assert plain_to_text(raw) == text


@pytest.mark.parametrize(
    ("raw", "is_html", "title"),
    [
        ("<b>Bold</b> move", False, "Bold move"),
        ("Use <blink> and <3", False, "Use <blink> and <3"),
        ("AT&amp;T", False, "AT&T"),
        ("AT&amp;amp;T", False, "AT&T"),
        ("Fish &amp chips & more", False, "Fish &amp chips & more"),
        ("Caf&eacute; &lt;b&gt;", True, "Café <b>"),
        ("<p>Two</p><p>blocks</p>", True, "Two blocks"),
        ("  many\n\tspaces  ", False, "many spaces"),
    ],
)
def test_clean_title(raw: str, is_html: bool, title: str) -> None:
    assert clean_title(raw, is_html=is_html) == title


@pytest.mark.parametrize(
    ("text", "count", "expected"),
    [("a b c", 5, "a b c"), ("a b c d", 2, "a b…"), ("", 3, "")],
)
def test_first_words(text: str, count: int, expected: str) -> None:
    assert first_words(text, count) == expected
