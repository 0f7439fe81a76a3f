"""Rendering a digest: header, order, and Discord's limits of 10 embeds / 6,000 characters."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.render.article import EMBED_TOTAL_LIMIT, EMBEDS_PER_MESSAGE, embed_length
from bot.render.digest import render_digest
from bot.schedules import compose
from bot.store import DeliveryRow
from tests.schedules.builders import T0, delivery, hours

WHEN = datetime(2026, 3, 2, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))


def rows(count: int, point_length: int, feeds: int = 3) -> list[DeliveryRow]:
    return [
        delivery(
            n,
            feed_id=n % feeds + 1,
            feed_title=f"Feed {n % feeds + 1}",
            published=T0 - hours(n),
            point_length=point_length,
        )
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    ("count", "point_length", "messages"),
    [
        (1, 60, 1),
        (10, 60, 1),
        (11, 60, 2),  # the 10-embed limit
        (25, 60, 3),
        (12, 600, 4),  # the 6,000-character limit: three long embeds per message
        (40, 1500, 40),  # each embed nearly fills a message on its own
    ],
)
def test_split_within_discord_limits(count: int, point_length: int, messages: int) -> None:
    digest = compose(100, rows(count, point_length))
    posts = render_digest(digest, when=WHEN)
    assert len(posts) == messages
    for post in posts:
        assert 1 <= len(post.embeds) <= EMBEDS_PER_MESSAGE
        assert sum(embed_length(e) for e in post.embeds) <= EMBED_TOTAL_LIMIT
        assert len(post.embeds) == len(post.delivery_ids)
    # Every article exactly once, in the digest's order (grouped by feed, freshest first).
    order = [digest.delivery_ids[a.id] for g in digest.groups for a in g.articles]
    assert [d for post in posts for d in post.delivery_ids] == order
    titles = [e.title for post in posts for e in post.embeds]
    assert titles == [a.title for g in digest.groups for a in g.articles]


def test_header_has_date_and_count_and_parts_are_numbered() -> None:
    posts = render_digest(compose(100, rows(25, 60)), when=WHEN)
    assert "Monday 02 March 2026" in posts[0].content
    assert "25 new articles from 3 feeds" in posts[0].content
    assert [p.content.endswith(f"part {i}/3") for i, p in enumerate(posts, 1)] == [
        False,
        True,
        True,
    ]


def test_one_article_reads_singular_and_empty_digest_posts_nothing() -> None:
    posts = render_digest(compose(100, rows(1, 60)), when=WHEN)
    assert "1 new article from 1 feed" in posts[0].content
    assert render_digest(compose(100, []), when=WHEN) == []


def test_embeds_carry_the_feed_name_and_key_points() -> None:
    (post,) = render_digest(compose(100, rows(2, 60, feeds=1)), when=WHEN, points=2)
    embed = post.embeds[0]
    assert embed.footer.text == "Feed 1"
    assert embed.description is not None
    assert embed.description.count("•") == 2
