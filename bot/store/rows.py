"""Frozen rows the store hands out: never ORM objects, never loose dicts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.models import Article, Digest, Entry
from bot.store.filters import Filters

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedRow:
    """A feed and its polling state."""

    id: int
    url: str
    title: str | None
    site_link: str | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    interval_seconds: int | None
    next_poll_at: datetime
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    broken_reason: str | None  # set for permanent errors: the feed is no longer polled
    failure_notice_at: datetime | None  # when channels were last told the feed is failing
    baseline_done: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    """A feed posted into one channel, with the feed's URL and title for display."""

    id: int
    feed_id: int
    guild_id: int
    channel_id: int
    mode: str  # "instant" | "digest"
    filters: Filters
    added_by: int | None
    paused_reason: str | None
    created_at: datetime
    feed_url: str
    feed_title: str | None
    publish: bool = False  # crosspost each post (announcement channels)
    forum_tags: tuple[int, ...] = ()  # the tags of each forum post
    ping_role_id: int | None = None  # the role the feed's posts mention (None: nobody)
    updates: bool = True  # posted messages are edited when the feed changes their item
    webhook_name: str | None = None  # posts go through a webhook under this name (None: as the bot)
    webhook_avatar: str | None = None  # the avatar URL of those posts


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """One line of ``/feed status``: a subscription of the guild and its feed's health."""

    subscription_id: int
    channel_id: int
    mode: str
    paused_reason: str | None
    feed_id: int
    url: str
    title: str | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    next_poll_at: datetime
    broken_reason: str | None


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """A stored article with its digest (None: a first poll's item not digested yet)."""

    id: int
    url: str | None
    fingerprint: str | None
    title: str
    author: str | None
    published: datetime
    published_estimated: bool
    summary: str
    text: str
    text_source: str
    extraction_note: str | None
    image_url: str | None
    language: str
    digest: Digest | None  # made when first asked for (bot.backlog)
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """An outbox row; ``article`` and the feed are filled in where the caller posts them."""

    id: int
    article_id: int
    channel_id: int
    guild_id: int
    subscription_id: int | None
    kind: str  # "instant" | "digest"
    status: str  # "pending" | "sent" | "failed" | "skipped"
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    message_id: int | None
    created_at: datetime
    sent_at: datetime | None
    article: ArticleRow | None = None
    feed_id: int | None = None  # the subscription's feed (None once it was removed)
    feed_title: str | None = None
    claimed_by: int | None = None  # the worker holding the row (workers.id), while it is held
    publish: bool = False  # the subscription publishes its posts (crosspost once posted)
    forum_tags: tuple[int, ...] = ()  # the subscription's forum tags
    in_flight_at: datetime | None = None  # an attempt without a nonce started (forum posts)
    ping_role_id: int | None = None  # the role the post mentions, from its subscription
    held: str | None = None  # "quiet" or "cap": kept back by the channel's controls
    held_at: datetime | None = None
    cap_day: str | None = None  # the local day whose daily cap counted this post
    edit_due_at: datetime | None = None  # a sent post whose item changed: edit it from then on
    edited_at: datetime | None = None
    position: int | None = None  # its embed's index in the (digest) message that carries it
    webhook_name: str | None = None  # posted through the channel's webhook under this name
    webhook_avatar: str | None = None

    @property
    def editing(self) -> bool:
        """Claimed for an edit of its message (only a sent post is claimed again)."""
        return self.status == "sent"


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """A channel's digest schedule."""

    id: int
    guild_id: int
    channel_id: int
    cron: str
    timezone: str
    last_run_at: datetime | None
    next_run_at: datetime | None
    created_by: int | None
    created_at: datetime
    publish: bool = False  # crosspost each digest message (announcement channels)
    forum_tags: tuple[int, ...] = ()  # the tags of each forum post


@dataclass(frozen=True, slots=True)
class ChannelControlsRow:
    """A channel's controls: quiet hours (local "HH:MM"), a daily cap, a digest maximum."""

    channel_id: int
    guild_id: int
    timezone: str
    quiet_start: str | None
    quiet_end: str | None
    daily_cap: int | None
    digest_max: int | None
    updated_by: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result, best first."""

    article_id: int
    title: str
    url: str | None
    published: datetime
    summary: str
    relevance: float  # the full-text engine's score (higher is better)
    score: float  # relevance with the freshness boost: what results are ranked by


@dataclass(frozen=True, slots=True)
class AnswerDocRow:
    """An article's analysis for /ask as the catch-up job stores it, with its postings' inputs."""

    article_id: int
    text_hash: str  # of the text analysed
    data: str  # the analysis (bot.answer.stored)
    length: int  # terms in the article
    terms: dict[str, int]  # how often each stem occurs in it


@dataclass(frozen=True, slots=True)
class AnswerCandidate:
    """An article the full-text index offers /ask, with its stored analysis when it has one."""

    id: int
    title: str
    url: str | None
    published: datetime
    text: str
    text_hash: str | None  # of the text the stored analysis describes (None: not analysed)
    data: str | None  # the analysis (bot.answer.stored)
    relevance: float


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What one ``store_articles`` call did."""

    new_articles: tuple[int, ...]  # articles created (stories never seen before)
    linked: tuple[int, ...]  # articles of entries new to this feed (new or carried by another)
    skipped: tuple[str, ...]  # entry ids already linked to this feed, or repeated in the batch
    deliveries: tuple[int, ...]  # outbox rows created
    edits: int = 0  # posted messages to edit because the feed changed their item


@dataclass(frozen=True, slots=True)
class FeedSuccess:
    """A successful poll to record with the feed's articles (see ``record_success``)."""

    etag: str | None
    last_modified: str | None
    next_poll_at: datetime
    title: str | None = None
    new_url: str | None = None  # a permanent redirect: the feed moves there


@dataclass(frozen=True, slots=True)
class FeedBatchItem:
    """One feed's part of a batch write: its new articles and, optionally, its poll's success.

    With ``deliver`` each active subscription of the feed whose filters accept an article gets
    one delivery; without it (a feed's first poll, the baseline) nothing is queued. Its
    ``changed`` items replace the feed's own view of them and queue edits of their posts.
    """

    feed_id: int
    articles: Sequence[Article]
    deliver: bool
    success: FeedSuccess | None = None
    changed: Sequence[Article] = ()  # items it carried before, changed since (digested again)
    rehashed: Sequence[Entry] = ()  # items carried before their content hash was kept


class StoreError(Exception):
    """Base of the store's own errors."""


class AlreadySubscribed(StoreError):
    """The feed is already subscribed in that channel."""

    def __init__(self, existing: SubscriptionRow) -> None:
        super().__init__(f"feed {existing.feed_url} is already subscribed in this channel")
        self.existing = existing


@dataclass(frozen=True, slots=True)
class WebhookRow:
    """The webhook Briefing owns in a channel; ``token`` is a secret (kept out of its repr)."""

    channel_id: int
    guild_id: int
    webhook_id: int
    token: str = field(repr=False)
