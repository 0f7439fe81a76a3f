"""A server's feeds: add, remove, list, status, preview and filters, with no Discord in sight.

The ``/feed`` commands are thin adapters over :class:`FeedManager`. Adding a feed reads it once
through the pipeline (a web page's advertised feed is followed) and hands that read to the poller,
so what the feed holds is recorded as the baseline exactly as a first poll would record it:
stored, never delivered. Only then is the channel subscribed, and ``backfill`` queues the newest
few on purpose. Every refusal is a :class:`SubscriptionError` whose message says why and what to
do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.delivery import persona
from bot.errors import BriefingError
from bot.feeds.identity import normalize_url
from bot.models import Article
from bot.pipeline import FeedRead, FeedUnavailable, Pipeline
from bot.poller import Poller
from bot.runtime import Runtime
from bot.store import (
    AlreadySubscribed,
    ArticleRow,
    FeedRow,
    FeedStatus,
    FilterError,
    Filters,
    Store,
    SubscriptionRow,
)
from bot.store.subscriptions import MODES

log = logging.getLogger(__name__)

MAX_BACKFILL = 20
PREVIEW_ITEMS = 3
# Recent articles a new filter is tried on, to tell the user what it would have let through.
FILTER_SAMPLE = 10
CLEAR = "-"  # a filter option given as "-" empties that list


class SubscriptionError(BriefingError):
    """A request that cannot be carried out; the message is fit to show the user."""


class FeedUnreadable(SubscriptionError):
    """The feed could not be read (HTTP error, not a feed, refused address...)."""

    def __init__(self, url: str, cause: FeedUnavailable) -> None:
        if cause.kind == "refused":
            advice = ""  # the guard's message names the setting that allows it
        elif cause.transient:
            advice = " This may be temporary: try again in a while."
        else:
            advice = (
                " Check the address: it must be a feed (RSS, Atom or JSON Feed)"
                " or a web page that links to one."
            )
        super().__init__(f"I could not read {url}: {str(cause).rstrip('.')}.{advice}")
        self.kind = cause.kind


class AlreadyFollowing(SubscriptionError):
    """The channel already receives this feed."""

    def __init__(self, existing: SubscriptionRow) -> None:
        name = existing.feed_title or existing.feed_url
        super().__init__(
            f"This channel already receives {name} ({existing.feed_url}). "
            "Use /feed filter to change what it posts, or pick another channel."
        )
        self.existing = existing


@dataclass(frozen=True, slots=True)
class Added:
    """A new subscription: the feed, its newest stored article and what was backfilled."""

    subscription: SubscriptionRow
    feed: FeedRow
    title: str
    items: int  # entries the feed carried when it was read
    newest: ArticleRow | None
    backfilled: int  # posts queued by the backfill
    awaits_schedule: bool = False  # digest mode, but the channel has no digest schedule yet
    dropped: int = 0  # older entries left out: the feed holds more than max_entries_per_feed


@dataclass(frozen=True, slots=True)
class Preview:
    """A feed's newest items, digested; nothing of it is stored."""

    url: str
    title: str
    items: int
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class FilterResult:
    """Filters set on a subscription, and how many recent articles they would let through."""

    subscription: SubscriptionRow
    sampled: int
    accepted: int


class FeedManager:
    """The operations behind ``/feed``: each takes the guild it acts for."""

    def __init__(self, store: Store, pipeline: Pipeline, poller: Poller) -> None:
        self._store = store
        self._pipeline = pipeline
        self._poller = poller

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> FeedManager:
        """A manager over a running Briefing's store, pipeline and a poller of its own."""
        return cls(runtime.store, runtime.reader.pipeline, runtime.poller())

    async def add(
        self,
        guild_id: int,
        channel_id: int,
        url: str,
        *,
        mode: str = "instant",
        backfill: int = 0,
        added_by: int | None = None,
        publish: bool = False,
        forum_tags: tuple[int, ...] = (),
        webhook: persona.Persona | None = None,
    ) -> Added:
        """Read a feed once, record its items as the baseline, subscribe the channel, backfill.

        With ``publish`` each post is also published to the announcement channel's followers;
        ``forum_tags`` are the tags of each post in a forum; ``webhook``: posts go through the
        channel's webhook under that name and avatar.
        """
        if mode not in MODES:
            raise SubscriptionError(f"Mode must be one of {', '.join(MODES)}, not {mode!r}.")
        _check_webhook(webhook, mode)
        if not 0 <= backfill <= MAX_BACKFILL:
            raise SubscriptionError(f"Backfill must be between 0 and {MAX_BACKFILL}.")
        wanted = normalize_url(url)
        await self._refuse_if_following(wanted, channel_id)  # before any network work
        read = await self._read(wanted)
        feed = await self._record_baseline(read, channel_id, asked=wanted)
        try:
            sub = await self._store.subscribe(
                feed.id,
                guild_id,
                channel_id,
                mode=mode,
                added_by=added_by,
                publish=publish,
                forum_tags=forum_tags,
                webhook_name=webhook.name if webhook else None,
                webhook_avatar=webhook.avatar_url if webhook else None,
            )
        except AlreadySubscribed as exc:  # added by someone else meanwhile
            raise AlreadyFollowing(exc.existing) from None
        backfilled = await self._store.backfill(sub.id, backfill)
        log.info("guild %d: channel %d now follows %s (%s)", guild_id, channel_id, feed.url, mode)
        return await self._added(sub, read, backfilled)

    async def _record_baseline(self, read: FeedRead, channel_id: int, *, asked: str) -> FeedRow:
        """The feed row for what was read, its items stored by the poller's rules."""
        assert read.parsed is not None  # no validators were sent, so no 304
        feed_url = read.fetch.permanent_url or read.url
        if feed_url != asked:  # discovered or moved: the channel may follow it already
            await self._refuse_if_following(feed_url, channel_id)
        feed = await self._store.get_feed_by_url(feed_url)
        if feed is None:
            feed = await self._store.add_feed(feed_url, title=read.parsed.title or None)
        # A new feed's items become the baseline (stored, not posted); on a feed other channels
        # follow, items new since its last poll go to those channels, as a poll would send them.
        await self._poller.ingest(feed, read)
        return await self._store.get_feed(feed.id) or feed

    async def _added(self, sub: SubscriptionRow, read: FeedRead, backfilled: int) -> Added:
        assert read.parsed is not None
        feed = await self._store.get_feed(sub.feed_id)
        assert feed is not None
        newest = await self._store.recent_articles(None, feed_id=feed.id, limit=1)
        awaits = False
        if sub.mode == "digest":
            schedules = await self._store.list_schedules(sub.guild_id)
            awaits = not any(s.channel_id == sub.channel_id for s in schedules)
        return Added(
            subscription=sub,
            feed=feed,
            title=read.parsed.title or feed.title or feed.url,
            items=len(read.parsed.entries),
            dropped=read.parsed.dropped,
            newest=newest[0] if newest else None,
            backfilled=backfilled,
            awaits_schedule=awaits,
        )

    async def remove(self, guild_id: int, ref: str) -> SubscriptionRow:
        """Unsubscribe one of the guild's feeds (``ref``: its id, or a unique part of its name)."""
        sub = await self.resolve(guild_id, ref)
        await self._store.unsubscribe(guild_id, sub.id)
        log.info(
            "guild %d: channel %d no longer follows %s", guild_id, sub.channel_id, sub.feed_url
        )
        return sub

    async def subscriptions(self, guild_id: int) -> list[SubscriptionRow]:
        """The guild's subscriptions, oldest first."""
        return await self._store.list_subscriptions(guild_id=guild_id)

    async def status(self, guild_id: int) -> list[FeedStatus]:
        """Health of each of the guild's subscriptions."""
        return await self._store.feed_status(guild_id)

    async def choices(self, guild_id: int, typed: str, *, limit: int = 25) -> list[SubscriptionRow]:
        """The guild's subscriptions whose title or URL contains ``typed`` (autocomplete)."""
        needle = typed.strip().lower()
        subs = await self.subscriptions(guild_id)
        return [s for s in subs if needle in _label(s).lower() or needle == str(s.id)][:limit]

    async def resolve(self, guild_id: int, ref: str) -> SubscriptionRow:
        """The guild's subscription named by ``ref``: an autocomplete id, or a unique match."""
        subs = await self.subscriptions(guild_id)
        text = ref.strip()
        if text.isdigit():  # what autocomplete sends: never taken as a part of a name
            matches = [s for s in subs if s.id == int(text)]
        else:
            matches = [s for s in subs if text and text.lower() in _label(s).lower()]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise SubscriptionError(
                f"This server has no feed matching {text!r}. Pick one from the suggestions "
                "or see /feed list."
            )
        raise SubscriptionError(
            f"{len(matches)} feeds match {text!r}: pick one from the suggestions."
        )

    async def preview(self, url: str, *, limit: int = PREVIEW_ITEMS) -> Preview:
        """Digest a feed's newest items without storing anything."""
        read = await self._read(normalize_url(url))
        assert read.parsed is not None
        newest = sorted(read.parsed.entries, key=lambda e: e.published, reverse=True)[:limit]
        articles = await self._pipeline.prepare(newest)
        return Preview(
            url=read.url,
            title=read.parsed.title or read.url,
            items=len(read.parsed.entries),
            articles=tuple(articles),
        )

    async def set_filters(
        self, guild_id: int, ref: str, *, include: str | None, exclude: str | None
    ) -> FilterResult:
        """Replace a subscription's include/exclude terms (``None`` keeps a list as it is)."""
        sub = await self.resolve(guild_id, ref)
        current = sub.filters
        try:
            filters = Filters.build(
                current.include if include is None else split_terms(include),
                current.exclude if exclude is None else split_terms(exclude),
            )
        except FilterError as exc:
            raise SubscriptionError(f"{exc}. Fix the term and try again.") from None
        updated = await self._store.set_filters(guild_id, sub.id, filters)
        if updated is None:
            raise SubscriptionError("That feed was removed meanwhile; see /feed list.")
        recent = await self._store.recent_articles(None, feed_id=sub.feed_id, limit=FILTER_SAMPLE)
        # Regular expressions run under a timeout each; off the event loop all the same.
        accepted = await asyncio.to_thread(_count_accepted, filters, recent)
        return FilterResult(subscription=updated, sampled=len(recent), accepted=accepted)

    async def set_ping(self, guild_id: int, ref: str, role_id: int | None) -> SubscriptionRow:
        """Make a subscription's posts mention ``role_id`` (None: mention nobody)."""
        sub = await self.resolve(guild_id, ref)
        updated = await self._store.set_ping_role(guild_id, sub.id, role_id)
        if updated is None:
            raise SubscriptionError("That feed was removed meanwhile; see /feed list.")
        return updated

    async def set_webhook(
        self, guild_id: int, ref: str, webhook: persona.Persona | None
    ) -> SubscriptionRow:
        """Post a subscription's articles through the channel's webhook as ``webhook`` (None: as
        the bot)."""
        sub = await self.resolve(guild_id, ref)
        _check_webhook(webhook, sub.mode)
        name, avatar = (webhook.name, webhook.avatar_url) if webhook else (None, None)
        updated = await self._store.set_webhook(guild_id, sub.id, name, avatar)
        if updated is None:
            raise SubscriptionError("That feed was removed meanwhile; see /feed list.")
        return updated

    async def set_updates(self, guild_id: int, ref: str, updates: bool) -> SubscriptionRow:
        """Edit (or never edit) a subscription's posts when the feed changes their item."""
        sub = await self.resolve(guild_id, ref)
        updated = await self._store.set_updates(guild_id, sub.id, updates)
        if updated is None:
            raise SubscriptionError("That feed was removed meanwhile; see /feed list.")
        return updated

    async def resume(self, guild_id: int, ref: str) -> SubscriptionRow:
        """Post again for a paused subscription; its held posts go out in order."""
        sub = await self.resolve(guild_id, ref)
        if sub.paused_reason is None:
            raise SubscriptionError("That feed is not paused: its articles are being posted.")
        await self._store.resume_subscription(sub.id)
        return sub

    async def _read(self, url: str) -> FeedRead:
        try:
            return await self._pipeline.read_feed(url)
        except FeedUnavailable as exc:
            raise FeedUnreadable(url, exc) from None

    async def _refuse_if_following(self, feed_url: str, channel_id: int) -> None:
        feed = await self._store.get_feed_by_url(feed_url)
        if feed is None:
            return
        existing = await self._store.list_subscriptions(feed_id=feed.id, channel_id=channel_id)
        if existing:
            raise AlreadyFollowing(existing[0])


def split_terms(text: str) -> tuple[str, ...]:
    """Comma-separated filter terms; a ``/regex/`` may hold commas; ``-`` means none."""
    if text.strip() == CLEAR:
        return ()
    terms: list[str] = []
    pending: str | None = None
    for part in text.split(","):
        if pending is not None:  # inside a /regex/ that contained a comma
            pending += "," + part
            if part.rstrip().endswith("/"):
                terms.append(pending)
                pending = None
            continue
        stripped = part.strip()
        if stripped.startswith("/") and not (len(stripped) > 1 and stripped.endswith("/")):
            pending = part
        else:
            terms.append(part)
    if pending is not None:
        terms.append(pending)
    return tuple(t.strip() for t in terms if t.strip())


def _label(sub: SubscriptionRow) -> str:
    return f"{sub.feed_title or ''} {sub.feed_url}"


def _count_accepted(filters: Filters, articles: Sequence[ArticleRow]) -> int:
    return sum(filters.accepts(a.title, a.summary, a.text) for a in articles)


def _check_webhook(webhook: persona.Persona | None, mode: str) -> None:
    """Refuse a webhook name or avatar Discord would refuse, or one for a digest."""
    if webhook is None:
        return
    if mode != "instant":
        raise SubscriptionError(
            "Webhook names are for instant posts: a digest is posted by the bot itself."
        )
    if (why := persona.problem(webhook.name, webhook.avatar_url)) is not None:
        raise SubscriptionError(why)
