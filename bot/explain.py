"""Why an article was (or was not) posted in each of a guild's channels: ``/feed explain``.

Each channel's answer is the article's way, stage by stage, from what ingest recorded at the
time (first-poll entries, filter rejections, outbox rows), never a guess from today's settings:
fetched -> recorded (first poll, before the channel followed, or new) -> filters -> duplicate
(the channel got it via another feed) -> queued / held / posted / failed / skipped.
No Discord here: the renderer (``bot.render.explain``) turns this into a reply.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.controls import explain as controls_hold
from bot.errors import BriefingError
from bot.feeds.identity import normalize_url
from bot.store import DeliveryRow, FeedRow, Store, SubscriptionRow
from bot.store.explain import ArticleFacts, EntryFact

log = logging.getLogger(__name__)

FEED_ITEMS = 5  # a feed URL explains its newest items
URL_MATCHES = 5  # an article URL several stored stories share (rare): the newest few

HeldReason = Callable[[SubscriptionRow, DeliveryRow, datetime], str | None]


async def held_by_controls(
    store: Store, facts: Sequence[ArticleFacts], now: datetime
) -> HeldReason:
    """Why the channel's controls (quiet hours, daily cap) hold each pending post, read once."""
    holds: dict[tuple[int, int], str] = {}
    for fact in facts:
        for row in fact.deliveries:
            if row.status == "pending":
                hold = await controls_hold(store, row.article_id, row.channel_id, now)
                if hold is not None:
                    holds[(row.article_id, row.channel_id)] = hold.describe()
    return lambda sub, row, now: holds.get((row.article_id, row.channel_id))


class ExplainError(BriefingError):
    """Nothing to explain: the URL is no article or feed this guild follows."""


class Outcome(enum.StrEnum):
    """Where an article's way into one channel ended."""

    FIRST_POLL = "first poll"
    BEFORE_SUBSCRIPTION = "before subscription"
    FILTERED = "filtered"
    DUPLICATE = "duplicate"
    NOT_QUEUED = "not queued"
    QUEUED = "queued"
    HELD = "held"
    POSTED = "posted"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the way, in plain words; ``at`` and ``link`` when there is one."""

    name: str  # fetched | recorded | filters | duplicate | queued | held | posted | failed ...
    text: str
    at: datetime | None = None
    link: str | None = None  # a jump link to the message


@dataclass(frozen=True, slots=True)
class ChannelVerdict:
    """One subscription of the guild: the article's way into its channel."""

    channel_id: int
    subscription_id: int
    feed_id: int
    feed_title: str | None
    feed_url: str
    outcome: Outcome
    stages: tuple[Stage, ...]


@dataclass(frozen=True, slots=True)
class ArticleExplanation:
    """An article and its verdict in each channel of the guild whose feeds carried it."""

    article_id: int
    title: str
    url: str | None
    channels: tuple[ChannelVerdict, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    """The answer: an article URL's article(s), or a feed's newest items (``feed`` set)."""

    query: str
    feed: FeedRow | None
    articles: tuple[ArticleExplanation, ...]


async def explain(
    store: Store,
    guild_id: int,
    url: str,
    *,
    held: HeldReason | None = None,
    now: datetime | None = None,
) -> Explanation:
    """Explain an article URL (or a feed URL's newest items) for one guild's channels."""
    query = url.strip()
    if not query:
        raise ExplainError("Give the address of an article or of a feed this server follows.")
    candidates = list(dict.fromkeys([query, normalize_url(query)]))
    feed = await store.guild_feed_by_url(guild_id, candidates)
    if feed is not None:
        ids = await store.newest_feed_articles(feed.id, FEED_ITEMS)
    else:
        ids = await store.guild_articles_by_url(guild_id, candidates, limit=URL_MATCHES)
        if not ids:
            raise ExplainError(
                f"No feed this server follows has carried {query[:200]}. Give the article's "
                "address as the feed links it, or a feed's address (see /feed list)."
            )
    facts = await store.explain_facts(guild_id, ids)
    moment = now or datetime.now(UTC)
    if held is None:
        held = await held_by_controls(store, facts, moment)
    articles = tuple(explain_article(f, guild_id, held=held, now=moment) for f in facts)
    if feed is not None:  # a feed's items: its own channels, not those of other feeds
        articles = tuple(
            replace(a, channels=tuple(c for c in a.channels if c.feed_id == feed.id))
            for a in articles
        )
    return Explanation(query, feed, articles)


def explain_article(
    facts: ArticleFacts, guild_id: int, *, held: HeldReason, now: datetime
) -> ArticleExplanation:
    """The verdict in each channel subscribed to a feed that carried the article."""
    entries: dict[int, EntryFact] = {}
    for entry in facts.entries:  # oldest first: a feed's first entry for the story counts
        entries.setdefault(entry.feed_id, entry)
    channels = tuple(
        _channel(facts, sub, entries[sub.feed_id], guild_id, held=held, now=now)
        for sub in facts.subscriptions
        if sub.feed_id in entries
    )
    return ArticleExplanation(facts.article_id, facts.title, facts.url, channels)


def _channel(
    facts: ArticleFacts,
    sub: SubscriptionRow,
    entry: EntryFact,
    guild_id: int,
    *,
    held: HeldReason,
    now: datetime,
) -> ChannelVerdict:
    stages = [Stage("fetched", f"fetched from {_feed_name(sub)}", at=entry.first_seen)]
    delivery = next((d for d in facts.deliveries if d.channel_id == sub.channel_id), None)
    own = delivery if delivery is not None and delivery.subscription_id == sub.id else None

    def done(outcome: Outcome) -> ChannelVerdict:
        return ChannelVerdict(
            sub.channel_id,
            sub.id,
            sub.feed_id,
            sub.feed_title,
            sub.feed_url,
            outcome,
            tuple(stages),
        )

    recorded, early = _recorded(facts, sub, entry)
    stages.append(recorded)
    if early is not None and own is None:
        return done(early)
    reason = facts.rejections.get(sub.id)
    if reason is not None:
        stages.append(Stage("filtered", f"filtered out: it {reason}"))
        if own is None:
            return done(Outcome.FILTERED)
    elif not sub.filters.empty:
        stages.append(Stage("filters", "passed this feed's filters"))
    if delivery is None:
        stages.append(Stage("not queued", _not_queued(sub)))
        return done(Outcome.NOT_QUEUED)
    if own is None:
        stages.append(_duplicate(facts, delivery, guild_id))
        return done(Outcome.DUPLICATE)
    stage, outcome = _delivered(own, sub, guild_id, held, now)
    stages.append(stage)
    return done(outcome)


def _recorded(
    facts: ArticleFacts, sub: SubscriptionRow, entry: EntryFact
) -> tuple[Stage, Outcome | None]:
    """How the feed's poll recorded it, and the outcome when that alone kept it from posting."""
    if entry.first_poll:
        text = "recorded on the feed's first poll: what a feed holds when added is kept, not posted"
        return Stage("recorded", text), Outcome.FIRST_POLL
    if entry.first_seen < sub.created_at:
        text = "recorded before this channel followed the feed: not posted here"
        return Stage("recorded", text), Outcome.BEFORE_SUBSCRIPTION
    text = "recorded as a new item"
    earlier = [
        e for e in facts.entries if e.feed_id != sub.feed_id and e.first_seen < entry.first_seen
    ]
    if earlier or facts.first_seen < entry.first_seen:
        text += " of a story already stored from another feed"
    return Stage("recorded", text), None


def _not_queued(sub: SubscriptionRow) -> str:
    if sub.paused_reason:
        return f"not queued: the feed is paused here ({_plain(sub.paused_reason)})"
    return "not queued: the feed was paused or not followed here when the item arrived"


def _duplicate(facts: ArticleFacts, delivery: DeliveryRow, guild_id: int) -> Stage:
    """The channel already had the same article through another of its feeds."""
    owner = next((s for s in facts.subscriptions if s.id == delivery.subscription_id), None)
    via = _feed_name(owner) if owner is not None else "a feed no longer followed"
    state = {"sent": "posted", "failed": "failed", "skipped": "skipped"}.get(
        delivery.status, "queued"
    )
    text = f"duplicate of \u201c{facts.title}\u201d, {state} in this channel via {via}"
    return Stage("duplicate", text, at=delivery.sent_at, link=_jump(guild_id, delivery))


def _delivered(
    row: DeliveryRow, sub: SubscriptionRow, guild_id: int, held: HeldReason, now: datetime
) -> tuple[Stage, Outcome]:
    """The outbox row's state, in plain words."""
    if row.status == "sent":
        where = "posted" if row.message_id is not None else "posted in the channel's digest"
        return Stage("posted", where, at=row.sent_at, link=_jump(guild_id, row)), Outcome.POSTED
    if row.status == "failed":
        return Stage("failed", f"failed: {_plain(row.last_error or 'unknown error')}"), (
            Outcome.FAILED
        )
    if row.status == "skipped":
        why = row.last_error or "dropped"
        return Stage("skipped", f"not posted: {why}"), Outcome.SKIPPED
    if sub.paused_reason:  # a 403 pauses the subscription and keeps the row pending
        text = (
            f"failed: {_plain(sub.paused_reason)}; it waits until that is fixed and "
            "/feed resume is run"
        )
        return Stage("failed", text), Outcome.FAILED
    reason = held(sub, row, now)
    if reason is not None:
        return Stage("held", f"held: {reason}"), Outcome.HELD
    if row.kind == "digest":
        return Stage("queued", "queued for the channel's next digest"), Outcome.QUEUED
    if row.attempts and row.last_error:
        text = f"queued: the last try failed ({_plain(row.last_error)}); it is tried again"
        return Stage("queued", text, at=row.next_attempt_at), Outcome.QUEUED
    return Stage("queued", "queued: it is posted shortly"), Outcome.QUEUED


_DISCORD_STATUS = re.compile(r"Discord (\d{3})")
_PLAIN = {
    400: "Discord refused the message",
    403: "the bot lacks permission to post there",
    404: "the channel or thread is gone",
    429: "Discord rate-limited the bot",
}


def _plain(error: str) -> str:
    """A stored error in plain words: Discord's status first, then its own text."""
    match = _DISCORD_STATUS.search(error)
    if match is None:
        return error
    status = int(match.group(1))
    meaning = _PLAIN.get(status) or ("Discord had a server error" if status >= 500 else None)
    return f"{meaning} (Discord {status})" if meaning else error


def _jump(guild_id: int, row: DeliveryRow) -> str | None:
    """The link that opens the posted message."""
    if row.status != "sent" or row.message_id is None:
        return None
    return f"https://discord.com/channels/{guild_id}/{row.channel_id}/{row.message_id}"


def _feed_name(sub: SubscriptionRow) -> str:
    return sub.feed_title or sub.feed_url
