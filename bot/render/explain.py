"""The ``/feed explain`` answer: an article's way into each channel, within Discord's limits."""

from __future__ import annotations

import logging

import discord
from discord.utils import format_dt

from bot.explain import ArticleExplanation, ChannelVerdict, Explanation, Stage
from bot.render.article import (
    DESCRIPTION_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    TITLE_LIMIT,
    escape,
    truncate,
)
from bot.render.limits import EMBED_TOTAL, EMBEDS, fit_embeds

log = logging.getLogger(__name__)

COLOUR = discord.Colour.blurple()
LINE_LIMIT = 700  # one feed item's line: five of them fit a description
MORE_ROOM = 60  # kept for the "...and N more channel(s)" field
MIN_FIELD = 120  # a channel's field shorter than this says too little: counted instead


def explanation_embeds(answer: Explanation) -> list[discord.Embed]:
    """One embed per article (a URL), or one listing a feed's newest items one line each."""
    if answer.feed is not None:
        return fit_embeds([_feed_embed(answer)])
    budget = EMBED_TOTAL // max(1, len(answer.articles[:EMBEDS]))
    return fit_embeds([_article_embed(article, budget) for article in answer.articles[:EMBEDS]])


def _article_embed(article: ArticleExplanation, budget: int) -> discord.Embed:
    """The article and a field per channel, while they fit ``budget`` characters; then a count."""
    embed = discord.Embed(
        title=truncate(escape(article.title) or "(untitled)", TITLE_LIMIT),
        url=article.url,
        colour=COLOUR,
    )
    if not article.channels:
        embed.description = "No channel of this server follows a feed that carried it."
        return embed
    embed.description = "Its way into each channel that follows a feed carrying it:"
    shown = 0
    for verdict in article.channels[: FIELDS_LIMIT - 1]:
        name = truncate(
            f"{verdict.outcome.value} \u00b7 {verdict.feed_title or verdict.feed_url}",
            FIELD_NAME_LIMIT,
        )
        room = budget - len(embed) - len(name) - MORE_ROOM
        if room < MIN_FIELD and shown:
            break
        value = truncate(_stages(verdict), max(1, min(FIELD_VALUE_LIMIT, room)))
        embed.add_field(name=name, value=value, inline=False)
        shown += 1
    if len(article.channels) > shown:
        more = len(article.channels) - shown
        embed.add_field(name="More", value=f"\u2026and {more} more channel(s).", inline=False)
    return embed


def _stages(verdict: ChannelVerdict) -> str:
    lines = [f"in <#{verdict.channel_id}>"]
    lines += [f"\u2022 {_stage(stage)}" for stage in verdict.stages]
    return "\n".join(lines)


def _stage(stage: Stage) -> str:
    text = escape(stage.text)
    if stage.at is not None:
        text += f" {format_dt(stage.at, 'f')}"
    if stage.link is not None:
        text += f" ([message]({stage.link}))"
    return text


def _feed_embed(answer: Explanation) -> discord.Embed:
    assert answer.feed is not None
    feed = answer.feed
    embed = discord.Embed(
        title=truncate(f"Newest items of {escape(feed.title or feed.url)}", TITLE_LIMIT),
        url=feed.url,
        colour=COLOUR,
    )
    if not answer.articles:
        embed.description = "The feed has recorded no item yet: its first poll is still to come."
        return embed
    lines = [truncate(_item_line(article), LINE_LIMIT) for article in answer.articles]
    embed.description = truncate("\n".join(lines), DESCRIPTION_LIMIT)
    return embed


def _item_line(article: ArticleExplanation) -> str:
    title = truncate(escape(article.title) or "(untitled)", 150)
    head = f"[{title}]({article.url})" if article.url else title
    verdicts = [_short(verdict) for verdict in article.channels] or ["not followed here"]
    return f"\u2022 {head}: " + "; ".join(verdicts)


def _short(verdict: ChannelVerdict) -> str:
    """The channel and the last stage: where the article's way ended there."""
    last = verdict.stages[-1]
    text = f"<#{verdict.channel_id}> {escape(last.text)}"
    if last.link is not None:
        text += f" ([message]({last.link}))"
    return text
