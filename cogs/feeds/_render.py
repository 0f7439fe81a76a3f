"""Embeds for the /feed commands: what a user reads after each of them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import discord
from discord.utils import format_dt

from bot.models import Digest
from bot.render.article import (
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
    article_embed,
    bullets,
    escape,
    truncate,
)
from bot.render.view import ArticleView
from bot.store import FeedStatus, Filters, SubscriptionRow
from bot.subscriptions import Added, FilterResult, Preview
from cogs._pages import chunked

log = logging.getLogger(__name__)

COLOUR = discord.Colour.blurple()
LIST_PER_PAGE = 10
STATUS_PER_PAGE = 5


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return truncate(text, limit)


def safe(text: str, limit: int = FIELD_VALUE_LIMIT) -> str:
    """Feed-provided text made inert (Markdown and mentions escaped) and cut to ``limit``."""
    return truncate(escape(text), limit)


def key_points(digest: Digest | None) -> str:
    """The digest's key points as bullets, as posts show them (none made yet: a hint)."""
    if digest is None:
        return "(key points are made when first asked for: /keypoints)"
    points = [p.text for p in digest.key_points] or [digest.tldr]
    return bullets(points, FIELD_VALUE_LIMIT) or "(no text)"


def added(result: Added, channel: discord.abc.GuildChannel | discord.Thread) -> discord.Embed:
    """The answer to /feed add: the feed, where it goes and the newest item's key points."""
    sub = result.subscription
    lines = [
        f"Now following in {channel.mention} ({sub.mode} mode).",
        f"{result.items} current item(s) recorded: they will not be posted.",
    ]
    if result.dropped:
        lines.append(
            f"The feed holds {result.items + result.dropped} items: only its newest "
            f"{result.items} are kept, older ones are ignored."
        )
    if result.backfilled:
        lines.append(f"{result.backfilled} recent article(s) queued for posting (backfill).")
    if result.awaits_schedule:
        lines.append(
            f"{channel.mention} has no digest schedule yet: its articles wait for one. "
            "Set it with /digest schedule."
        )
    embed = discord.Embed(title=safe(result.title, TITLE_LIMIT), url=result.feed.url, colour=COLOUR)
    embed.description = "\n".join(lines)
    if result.newest is not None:
        name = f"Newest: {clip(result.newest.title, 240)}"
        embed.add_field(name=safe(name, TITLE_LIMIT), value=key_points(result.newest.digest))
    return embed


def preview(result: Preview, *, points: int = 3) -> list[discord.Embed]:
    """The answer to /feed preview: a header, then each newest item exactly as it would post."""
    head = discord.Embed(title=safe(result.title, TITLE_LIMIT), url=result.url, colour=COLOUR)
    head.description = (
        f"{result.items} item(s) in the feed; the newest {len(result.articles)} below. "
        "Nothing was saved: use /feed add to follow it."
    )
    shown = [ArticleView.of_preview(article) for article in result.articles[:9]]
    return [head] + [article_embed(a, feed_title=result.title, points=points) for a in shown]


def subscription_line(sub: SubscriptionRow) -> str:
    """One subscription in /feed list."""
    name = safe(sub.feed_title or sub.feed_url, 120)
    extra = f" · filters: {describe_filters(sub.filters)}" if sub.filters.to_json() else ""
    paused = " · ⏸ paused" if sub.paused_reason else ""
    ping = f" · pings <@&{sub.ping_role_id}>" if sub.ping_role_id else ""  # shown, never pinged
    edits = "" if sub.updates else " · never edited"
    shown = f" · as **{escape(sub.webhook_name)}** (webhook)" if sub.webhook_name else ""
    head = f"**{name}** → <#{sub.channel_id}> · {sub.mode}"
    return f"{head}{shown}{ping}{edits}{extra}{paused}\n<{sub.feed_url}>"


def list_pages(subs: Sequence[SubscriptionRow]) -> list[discord.Embed]:
    """/feed list as pages."""
    lines = [subscription_line(s) for s in subs]
    pages = chunked(lines, per_page=LIST_PER_PAGE)
    title = f"Feeds of this server ({len(subs)})"
    return [discord.Embed(title=title, description="\n".join(p), colour=COLOUR) for p in pages]


def _when(moment: datetime | None) -> str:
    return format_dt(moment, "R") if moment is not None else "never"


def status_block(row: FeedStatus) -> str:
    """One feed's health in /feed status."""
    name = safe(row.title or row.url, 120)
    lines = [
        f"**{name}** → <#{row.channel_id}> ({row.mode})",
        f"last success: {_when(row.last_success_at)} · next poll: {_when(row.next_poll_at)}"
        f" · consecutive failures: {row.consecutive_failures}",
    ]
    if row.last_error:
        lines.append(f"last error ({_when(row.last_error_at)}): {safe(row.last_error, 300)}")
    if row.paused_reason:
        lines.append(f"⏸ paused: {safe(row.paused_reason, 300)}")
    if row.broken_reason:
        lines.append(f"⛔ no longer polled: {safe(row.broken_reason, 300)}")
    return "\n".join(lines)


def status_pages(rows: Sequence[FeedStatus]) -> list[discord.Embed]:
    """/feed status as pages."""
    pages = chunked([status_block(r) + "\n" for r in rows], per_page=STATUS_PER_PAGE)
    title = f"Feed health ({len(rows)})"
    return [discord.Embed(title=title, description="\n".join(p), colour=COLOUR) for p in pages]


def describe_filters(filters: Filters) -> str:
    """Include/exclude terms in one line."""
    parts = []
    if filters.include:
        parts.append("include " + ", ".join(f"`{t}`" for t in filters.include))
    if filters.exclude:
        parts.append("exclude " + ", ".join(f"`{t}`" for t in filters.exclude))
    return clip("; ".join(parts) or "none (every article is posted)", 900)


def filtered(result: FilterResult) -> str:
    """The answer to /feed filter."""
    sub = result.subscription
    name = escape(sub.feed_title or sub.feed_url)
    text = f"Filters of **{name}** in <#{sub.channel_id}>: {describe_filters(sub.filters)}."
    if result.sampled:
        text += (
            f"\nOf its {result.sampled} most recent article(s), {result.accepted} would be posted."
        )
    return text


def ping_set(sub: SubscriptionRow, role_mention: str | None) -> str:
    """The answer to /feed set ping: who the feed's posts now mention."""
    name = escape(sub.feed_title or sub.feed_url)
    where = f"**{name}** in <#{sub.channel_id}>"
    if role_mention is None:
        return f"Posts of {where} ping nobody now."
    text = f"Posts of {where} now mention {role_mention} (and ping no one else)."
    if sub.mode != "instant":
        text += " This feed goes into the channel's digest, which pings no role."
    return text


def updates_set(sub: SubscriptionRow) -> str:
    """The answer to /feed set updates: whether posts follow the feed's changes."""
    name = escape(sub.feed_title or sub.feed_url)
    where = f"**{name}** in <#{sub.channel_id}>"
    if not sub.updates:
        return f"Posts of {where} stay as posted when the feed changes an article."
    return f"Posts of {where} are edited when the feed changes an article (at most once an hour)."


def resumed(sub: SubscriptionRow) -> str:
    """The answer to /feed resume: the feed posts again, what it was paused for."""
    name = escape(sub.feed_title or sub.feed_url)
    return (
        f"**{name}** posts in <#{sub.channel_id}> again; the articles held while it was paused "
        f"go out now. It had been paused because: {clip(sub.paused_reason or '', 300)}"
    )
