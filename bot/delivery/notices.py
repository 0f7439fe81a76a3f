"""One notice a day in the channels of a feed that has been failing for a day."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.delivery.outcome import notice_nonce
from bot.delivery.permissions import FORUM
from bot.delivery.sender import Outgoing, SendFailed, Target
from bot.render.article import THREAD_NAME_LIMIT, escape, truncate
from bot.store import FeedRow, SubscriptionRow

if TYPE_CHECKING:
    from bot.delivery.post import Poster

log = logging.getLogger(__name__)


def notice_due(feed: FeedRow, now: datetime, *, after: timedelta, every: timedelta) -> bool:
    """True when ``feed`` has failed for over ``after`` and had no notice within ``every``."""
    if feed.consecutive_failures <= 0 and feed.broken_reason is None:
        return False
    failing_since = feed.last_success_at or feed.created_at
    if now - failing_since < after:
        return False
    return feed.failure_notice_at is None or now - feed.failure_notice_at >= every


def notice_text(feed: FeedRow) -> str:
    """The notice: which feed, since when, why, and what to do."""
    name = escape(feed.title or feed.url)
    error = escape(feed.broken_reason or feed.last_error or "unknown error")
    since = feed.last_success_at or feed.created_at
    return truncate(
        f"⚠️ The feed **{name}** has not been read successfully since "
        f"<t:{int(since.timestamp())}:R> ({error}). `/feed status` shows the details; "
        "`/feed remove` stops it.",
        2000,
    )


async def notify_failing_feeds(poster: Poster, now: datetime) -> int:
    """Post the notices due at ``now`` and remember them; returns how many channels were told."""
    config = poster.config
    told = 0
    for feed in await poster.store.list_feeds():
        if not notice_due(feed, now, after=config.notice_after, every=config.notice_every):
            continue
        day = int(now.timestamp() // 86400)
        for sub in await poster.store.list_subscriptions(feed_id=feed.id):
            if sub.paused_reason is not None:
                continue
            notice = Outgoing(
                "notice", notice_nonce(feed.id, day, sub.channel_id), notice_text(feed)
            )
            told += await _send(poster, Target(sub.channel_id, sub.guild_id), notice, feed, sub)
        await poster.store.mark_failure_notice(feed.id, now)
    return told


async def _send(
    poster: Poster, target: Target, notice: Outgoing, feed: FeedRow, sub: SubscriptionRow
) -> int:
    """Post the notice: a message, or in a forum a post of its own (with the feed's tags, which
    a forum may require); best effort, so logged and not retried when refused."""
    sender = poster.sender
    try:
        if await sender.channels.kind(target.channel_id) == FORUM:
            name = truncate(f"⚠️ Feed failing: {feed.title or feed.url}", THREAD_NAME_LIMIT)
            await sender.create_forum_post(target, name, notice, sub.forum_tags)
        else:
            await sender.send(target, notice)
    except SendFailed as failure:
        log.warning(
            "failing-feed notice to %d: %s (%s)",
            target.channel_id,
            failure.reason,
            failure.action.value,
        )
        return 0
    return 1
