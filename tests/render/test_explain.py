"""The /feed explain answer: every stage shown, hostile text inert, within Discord's limits."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from bot.explain import ArticleExplanation, ChannelVerdict, Explanation, Outcome, Stage
from bot.render.explain import explanation_embeds
from bot.render.limits import DESCRIPTION, EMBED_TOTAL, EMBEDS, FIELD_VALUE, FIELDS, TITLE
from bot.store import FeedRow

AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
LINK = "https://discord.com/channels/1/2/3"


def verdict(channel: int, *, words: int = 5, title: str = "Feed") -> ChannelVerdict:
    stages = (
        Stage("fetched", f"fetched from {title}", at=AT),
        Stage("recorded", "recorded as a new item " + "word " * words),
        Stage("posted", "posted", at=AT, link=LINK),
    )
    return ChannelVerdict(channel, 1, 1, title, "https://f.example/feed", Outcome.POSTED, stages)


def article(title: str, channels: int, *, words: int = 5) -> ArticleExplanation:
    verdicts = tuple(verdict(100 + i, words=words) for i in range(channels))
    return ArticleExplanation(1, title, "https://a.example/1", verdicts)


def feed() -> FeedRow:
    return FeedRow(
        1, "https://f.example/feed", "Feed", None, None, None, None, None, AT, None, None, None,
        None, 0, None, None, True, AT,
    )  # fmt: skip


def within_limits(embeds: list[discord.Embed]) -> None:
    assert len(embeds) <= EMBEDS
    assert sum(len(e) for e in embeds) <= EMBED_TOTAL
    for embed in embeds:
        assert len(embed.title or "") <= TITLE
        assert len(embed.description or "") <= DESCRIPTION
        assert len(embed.fields) <= FIELDS
        assert all(len(f.value or "") <= FIELD_VALUE for f in embed.fields)


def test_each_channel_is_a_field_with_its_stages_time_and_link() -> None:
    [embed] = explanation_embeds(Explanation("u", None, (article("Budget", 2),)))
    assert [f.name for f in embed.fields] == ["posted \u00b7 Feed", "posted \u00b7 Feed"]
    value = embed.fields[0].value or ""
    assert value.startswith("in <#100>\n\u2022 fetched from Feed <t:")
    assert f"\u2022 posted <t:{int(AT.timestamp())}:f> ([message]({LINK}))" in value


def test_many_channels_and_long_texts_still_fit() -> None:
    many = tuple(article("T" * 500, 40, words=400) for _ in range(5))
    embeds = explanation_embeds(Explanation("u", None, many))
    within_limits(embeds)
    assert len(embeds) == 5  # every article keeps its embed
    for embed in embeds:
        *channels, more = embed.fields
        assert channels
        assert more.value == f"\u2026and {40 - len(channels)} more channel(s)."


def test_a_feeds_newest_items_are_one_line_each_within_limits() -> None:
    items = tuple(article("T" * 500, 30, words=300) for _ in range(5))
    [embed] = explanation_embeds(Explanation("u", feed(), items))
    within_limits([embed])
    assert (embed.title or "") == "Newest items of Feed"
    assert len([line for line in (embed.description or "").splitlines() if line]) == 5


def test_feed_text_is_made_inert() -> None:
    hostile = article("@everyone *now* <@123>", 1)
    [embed] = explanation_embeds(Explanation("u", None, (hostile,)))
    title = embed.title or ""
    assert "@everyone" not in title
    assert "<@123>" not in title
    assert "\\*now\\*" in title


def test_a_feed_with_no_items_yet_says_so() -> None:
    [embed] = explanation_embeds(Explanation("u", feed(), ()))
    assert "no item yet" in (embed.description or "")


def test_one_article_in_many_channels_shows_what_fits_and_counts_the_rest() -> None:
    [embed] = explanation_embeds(Explanation("u", None, (article("Budget", 40),)))
    within_limits([embed])
    *channels, more = embed.fields
    assert len(channels) == FIELDS - 1
    assert more.value == f"\u2026and {40 - len(channels)} more channel(s)."
