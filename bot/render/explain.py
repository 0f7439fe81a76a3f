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
from bot.render.limits import fit_embeds

log = logging.getLogger(__name__)

COLOUR = discord.Colour.blurple()
LINE_LIMIT = 700  # one feed item's line: five of them fit a description


def explanation_embeds(answer: Explanation) -> list[discord.Embed]:
    """One embed per article (a URL), or one listing a feed's newest items one line each."""
    if answer.feed is not None:
        return fit_embeds([_feed_embed(answer)])
    return fit_embeds([_article_embed(article) for article in answer.articles])


def _article_embed(article: ArticleExplanation) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(escape(article.title) or "(untitled)", TITLE_LIMIT),
        url=article.url,
        colour=COLOUR,
    )
    if not article.channels:
        embed.description = "No channel of this server follows a feed that carried it."
        return embed
    embed.description = "Its way into each channel that follows a feed carrying it:"
    shown = article.channels[: FIELDS_LIMIT - 1]
    for verdict in shown:
        name = f"{verdict.outcome.value} \u00b7 {verdict.feed_title or verdict.feed_url}"
        embed.add_field(
            name=truncate(name, FIELD_NAME_LIMIT),
            value=truncate(_stages(verdict), FIELD_VALUE_LIMIT),
            inline=False,
        )
    if len(article.channels) > len(shown):
        more = len(article.channels) - len(shown)
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
