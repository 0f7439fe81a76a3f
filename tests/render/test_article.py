"""Article embeds: escaping, mentions neutralised, every Discord limit respected."""

from __future__ import annotations

import re

import pytest

from bot.render.article import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
    article_embed,
    embed_length,
    escape,
    more_custom_id,
    more_embed,
    truncate,
)
from tests.render.builders import PUBLISHED, article_row

# What Discord's client turns into a ping or a link to a user, role or channel.
MENTION = re.compile(r"@(everyone|here)|<@!?\d+>|<@&\d+>|<#\d+>")
article = article_row


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("**bold** _it_", r"\*\*bold\*\* \_it\_"),
        ("# Heading", r"\# Heading"),
        ("> quote", r"\> quote"),
        ("||spoiler|| ~~gone~~ `code`", r"\|\|spoiler\|\| \~\~gone\~\~ \`code\`"),
        ("[masked](https://evil.example)", r"\[masked](https://evil.example)"),
        ("@everyone look", "@\u200beveryone look"),
        ("@HERE now", "@\u200bHERE now"),
        ("hi <@123>", "hi <@\u200b123>"),
        ("hi <@!123>", "hi <@!\u200b123>"),
        ("role <@&456>", "role <@&\u200b456>"),
        ("see <#789>", "see <#\u200b789>"),
        ("mail me@example.org", "mail me@example.org"),
        ("plain text", "plain text"),
    ],
)
def test_escape(raw: str, expected: str) -> None:
    assert escape(raw) == expected


@pytest.mark.parametrize(
    "hostile",
    [
        "@everyone @here <@1> <@!2> <@&3> <#4>",
        "**<@&3>** _@everyone_ `<#4>`",
        "<<@&3>> @@everyone",
    ],
)
def test_escaped_text_holds_no_mention(hostile: str) -> None:
    assert MENTION.search(escape(hostile)) is None


def test_embed_carries_title_link_points_feed_time_and_thumbnail() -> None:
    embed = article_embed(article(image_url="https://example.org/i.png"), feed_title="Example News")
    assert (embed.title, embed.url) == ("A title", "https://example.org/a")
    assert embed.description == "• First point.\n• Second point.\n• Third point."
    assert embed.footer.text == "Example News"
    assert embed.timestamp == PUBLISHED
    assert embed.thumbnail.url == "https://example.org/i.png"


@pytest.mark.parametrize(
    ("kwargs", "points", "expected"),
    [
        ({}, 1, "• First point."),
        ({"points": ()}, 3, "• Summary."),
        ({"points": (), "summary": " "}, 3, None),
        ({"points": ("a\n\n  b",)}, 3, "• a b"),
    ],
)
def test_description(kwargs: dict[str, object], points: int, expected: str | None) -> None:
    embed = article_embed(article(**kwargs), feed_title=None, points=points)  # type: ignore[arg-type]
    assert embed.description == expected


@pytest.mark.parametrize(
    ("url", "image_url"),
    [(None, None), ("javascript:alert(1)", "ftp://x/i.png"), ("https://x/" + "a" * 3000, None)],
)
def test_unusable_urls_are_left_out(url: str | None, image_url: str | None) -> None:
    embed = article_embed(article(url=url, image_url=image_url), feed_title=None)
    assert embed.url is None
    assert embed.thumbnail.url is None


HUGE = "word **bold** @everyone <@&1> " * 1000
CASES = {
    "huge title": {"title": HUGE},
    "huge points": {"points": (HUGE, HUGE, HUGE)},
    "ten huge points": {"points": (HUGE,) * 10, "tldr": HUGE},
    "many small points": {"points": tuple(f"Point {n}." for n in range(500))},
    "everything huge": {"title": HUGE, "points": (HUGE,) * 5, "tldr": HUGE},
    "empty title": {"title": "   "},
}


@pytest.mark.parametrize("kwargs", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("render", ["instant", "more"])
def test_every_limit_holds(kwargs: dict[str, object], render: str) -> None:
    row = article(**kwargs)  # type: ignore[arg-type]
    feed = "Feed " * 1000
    if render == "instant":
        embed = article_embed(row, feed_title=feed, points=10)
    else:
        embed = more_embed(row, feed_title=feed)
    assert embed.title
    assert len(embed.title) <= TITLE_LIMIT
    assert len(embed.description or "") <= DESCRIPTION_LIMIT
    assert len(embed.footer.text or "") <= FOOTER_LIMIT
    assert all(len(f.value or "") <= FIELD_VALUE_LIMIT for f in embed.fields)
    assert embed_length(embed) <= EMBED_TOTAL_LIMIT
    text = " ".join([embed.title, embed.description or "", *(f.value or "" for f in embed.fields)])
    assert MENTION.search(text) is None


def test_more_shows_every_point_and_the_tldr() -> None:
    points = tuple(f"Point {n}." for n in range(6))
    embed = more_embed(article(points=points, tldr="**Short** version."), feed_title=None)
    assert embed.description == "\n".join(f"• Point {n}." for n in range(6))
    assert [(f.name, f.value) for f in embed.fields] == [("TL;DR", r"\*\*Short\*\* version.")]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("abc", 3, "abc"), ("abcdef", 4, "abc…"), ("ab\\cdef", 4, "ab…"), ("a   bcdef", 5, "a…")],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected


def test_more_custom_id_fits_discord() -> None:
    assert len(more_custom_id(2**63 - 1)) <= 100
