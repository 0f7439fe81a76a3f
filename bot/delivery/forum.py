"""Forum posts exactly once, without a nonce.

Discord deduplicates channel messages by nonce, but creating a forum post (a thread with its
starter message) takes none. Each post is made exactly once by this argument:

1. **One row, one post.** The outbox holds one row per (article, forum) (a unique constraint);
   a scheduled digest's post carries its rows. A row is held by one worker at a time (a claim
   with a lease, ``SKIP LOCKED`` on PostgreSQL; a channel's digest runs one at a time).
2. **Marked before, recorded after.** Before the request the row is marked in flight, and that
   mark is committed. After Discord answers, the thread's id is recorded and the row is sent.
   So every request that may have created a post left a mark, whatever happened next (a crash,
   a timeout, a lost answer, a database outage).
3. **Look before trying again.** An attempt on a marked row first looks for the post it may
   have made: among the guild's active threads and the forum's most recent archived ones, a
   thread the bot created in this forum, under the name this row gives (the article's title,
   cut to 100 characters; a digest's date may differ on a retry, so any name there), whose
   starter message is this row's: the "More" button of this article (instant posts), the same
   articles in the same order (a digest). Only a row can make its own starter,
   so a match is its post: it is recorded, nothing is created. No match: the earlier attempt
   made nothing, and the post is created.

A crash between the mark and the request looks needlessly; one after the request finds the
post. What this cannot see: a post of a marked row that moderators deleted before the retry
(it is made again), or one pushed out of the recent archived threads before the retry (the
retry comes within seconds of a restart or a back-off, so only a burst of more than
``ARCHIVED_LOOKUP`` archivings in between could hide it). discord.py repeats a request
answered 500, 502 or 504 on its own, before this module hears of it, and Discord may have made
the post before failing: the sender refuses that repeat at the wire
(:func:`bot.delivery.wire.sent_at_most_once`), so the attempt fails and the next one looks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

import discord

from bot.delivery.sender import Outgoing, Sender, Target
from bot.render.article import more_custom_id
from bot.store import Store

log = logging.getLogger(__name__)


async def post_once(
    sender: Sender,
    store: Store,
    target: Target,
    *,
    rows: Sequence[tuple[int, datetime | None]],
    name: str,
    match_name: bool = True,
    message: Outgoing,
    tags: tuple[int, ...],
    is_ours: Callable[[discord.Message], bool],
    now: datetime,
) -> int:
    """Create the forum post that carries ``rows`` (id, in-flight mark) unless it exists.

    Returns the thread's id; the caller records the rows sent. ``is_ours`` tells this post's
    starter message from any other.
    """
    if any(in_flight is not None for _, in_flight in rows):
        found = await sender.find_forum_post(target, name if match_name else None, is_ours)
        if found is not None:
            log.info("forum %d: post %d of an earlier attempt found", target.channel_id, found)
            return found
    await store.mark_in_flight([row_id for row_id, _ in rows], now)
    return await sender.create_forum_post(target, name, message, tags)


def starts_article(article_id: int) -> Callable[[discord.Message], bool]:
    """Whether a starter message is an instant post of this article (its "More" button)."""
    wanted = more_custom_id(article_id)

    def check(message: discord.Message) -> bool:
        return any(
            getattr(item, "custom_id", None) == wanted
            for row in message.components
            for item in getattr(row, "children", ())
        )

    return check


def starts_digest(embeds: Sequence[discord.Embed]) -> Callable[[discord.Message], bool]:
    """Whether a starter message carries the same articles as this digest post."""
    wanted = [(e.title, e.url) for e in embeds]

    def check(message: discord.Message) -> bool:
        return [(e.title, e.url) for e in message.embeds] == wanted

    return check
