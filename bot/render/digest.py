"""A channel digest as Discord messages: a header line, then one embed per article.

Articles keep the digest's order (grouped by feed, freshest first) and are packed into messages of
at most 10 embeds and 6,000 embed characters, Discord's limits; the first message carries the
header with the date and the count, the next ones say which part they are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.render.article import EMBED_TOTAL_LIMIT, EMBEDS_PER_MESSAGE, article_embed, embed_length
from bot.schedules import ChannelDigest

log = logging.getLogger(__name__)

HEADER_ICON = "\N{NEWSPAPER}"


@dataclass(frozen=True, slots=True)
class DigestPost:
    """One message of a digest and the outbox rows it carries."""

    content: str
    embeds: tuple[discord.Embed, ...]
    delivery_ids: tuple[int, ...]


def digest_header(digest: ChannelDigest, when: datetime, *, title: str = "Digest") -> str:
    """The header line: the digest's date (in the schedule's time zone) and its count.

    A digest bounded by the channel's maximum names what it leaves out: "· 5 more".
    """
    articles = _plural(digest.count, "new article")
    feeds = _plural(len(digest.groups), "feed")
    header = f"{HEADER_ICON} **{title} · {when:%A %d %B %Y}** · {articles} from {feeds}"
    return header + (f" · {digest.more} more" if digest.more else "")


def more_line(count: int, cap: int | None) -> str:
    """The one line that names the posts a channel's daily cap held back (``cap``: as it is now)."""
    more = _plural(count, "more article")
    of = f" of {cap}" if cap is not None else ""
    return f"\N{HEAVY PLUS SIGN} **{more}** arrived over this channel's daily cap{of}."


def render_digest(
    digest: ChannelDigest, *, when: datetime, points: int = 3, title: str = "Digest"
) -> list[DigestPost]:
    """The messages that post ``digest`` (none when it is empty), each within Discord's limits."""
    parts: list[list[tuple[discord.Embed, int]]] = []
    size = 0
    for group in digest.groups:
        for article in group.articles:
            embed = article_embed(article, feed_title=group.title, points=points)
            length = embed_length(embed)
            full = bool(parts) and len(parts[-1]) >= EMBEDS_PER_MESSAGE
            if not parts or full or size + length > EMBED_TOTAL_LIMIT:
                parts.append([])
                size = 0
            parts[-1].append((embed, digest.delivery_ids[article.id]))
            size += length
    header = digest_header(digest, when, title=title)
    posts = []
    for number, part in enumerate(parts, start=1):
        content = header if number == 1 else f"{header} · part {number}/{len(parts)}"
        posts.append(
            DigestPost(
                content=content,
                embeds=tuple(embed for embed, _ in part),
                delivery_ids=tuple(delivery for _, delivery in part),
            )
        )
    return posts


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
