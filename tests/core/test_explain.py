"""/feed explain's core: each verdict from what ingest recorded, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.delivery.permissions import pause_reason
from bot.explain import ChannelVerdict, ExplainError, Explanation, Outcome, explain
from bot.models import Article
from bot.store import DeliveryRow, Filters, Store, SubscriptionRow
from tests.render.builders import article

GUILD, OTHER_GUILD, CHANNEL, CHANNEL2, OTHER_CHANNEL = 10, 11, 100, 200, 900
FEED_A, FEED_B = "https://a.example/feed.xml", "https://b.example/feed.xml"


def titled(n: int, title: str, *, link: str | None = None) -> Article:
    """Article ``n`` with its own title (what filters match) and, optionally, another link."""
    base = article(n, title=title)
    entry = replace(base.entry, link=link or base.entry.link)
    return replace(base, entry=entry)


async def follow(
    store: Store,
    url: str = FEED_A,
    channel: int = CHANNEL,
    *,
    guild: int = GUILD,
    filters: Filters | None = None,
    title: str | None = None,
) -> SubscriptionRow:
    feed = await store.add_feed(url, title=title)
    return await store.subscribe(
        feed.id, guild, channel, mode="instant", added_by=1, filters=filters
    )


def only(answer: Explanation, channel: int = CHANNEL) -> ChannelVerdict:
    """The verdict of the one article in ``channel``."""
    [found] = answer.articles
    [verdict] = [v for v in found.channels if v.channel_id == channel]
    return verdict


def said(verdict: ChannelVerdict) -> str:
    return "\n".join(stage.text for stage in verdict.stages)


async def delivery(store: Store, channel: int = CHANNEL) -> DeliveryRow:
    [row] = await store.list_deliveries(channel_id=channel)
    return row


async def test_a_first_poll_item_is_recorded_not_posted(store: Store) -> None:
    sub = await follow(store)
    await store.store_articles(sub.feed_id, [article(1)], deliver=False)
    verdict = only(await explain(store, GUILD, "https://example.org/news/1"))
    assert verdict.outcome is Outcome.FIRST_POLL
    assert [s.name for s in verdict.stages] == ["fetched", "recorded"]
    assert "first poll" in said(verdict)
    assert verdict.stages[0].at is not None


async def test_an_item_recorded_before_the_channel_followed_is_said_so(store: Store) -> None:
    feed = await store.add_feed(FEED_A)
    await store.store_articles(feed.id, [article(1)], deliver=True)  # nobody followed it yet
    await store.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=1)
    verdict = only(await explain(store, GUILD, "https://example.org/news/1"))
    assert verdict.outcome is Outcome.BEFORE_SUBSCRIPTION


async def test_a_filtered_item_names_the_term_as_it_was_then(store: Store) -> None:
    sub = await follow(store, filters=Filters.build(exclude=["crypto"]))
    await store.store_articles(sub.feed_id, [titled(1, "Crypto exchange collapses")], deliver=True)
    await store.set_filters(GUILD, sub.id, Filters())  # today's filters no longer turn it away
    verdict = only(await explain(store, GUILD, "https://example.org/news/1"))
    assert verdict.outcome is Outcome.FILTERED
    assert "exclude term \u201ccrypto\u201d" in said(verdict)
    assert await store.list_deliveries() == []


async def test_an_item_matching_no_include_term_names_them(store: Store) -> None:
    sub = await follow(store, filters=Filters.build(include=["election", "/vot(e|ing)/"]))
    await store.store_articles(sub.feed_id, [titled(1, "Weather today")], deliver=True)
    verdict = only(await explain(store, GUILD, "https://example.org/news/1"))
    assert verdict.outcome is Outcome.FILTERED
    assert "none of the include terms \u201celection\u201d, /vot(e|ing)/" in said(verdict)


async def test_a_passing_item_is_queued_then_posted_with_a_link(store: Store) -> None:
    sub = await follow(store, filters=Filters.build(include=["budget"]))
    await store.store_articles(sub.feed_id, [titled(1, "The budget passes")], deliver=True)
    queued = only(await explain(store, GUILD, "https://example.org/news/1"))
    assert queued.outcome is Outcome.QUEUED
    assert "passed this feed's filters" in said(queued)

    row = await delivery(store)
    await store.mark_sent(row.id, 555)
    posted = only(await explain(store, GUILD, "https://example.org/news/1"))
    assert posted.outcome is Outcome.POSTED
    assert posted.stages[-1].link == f"https://discord.com/channels/{GUILD}/{CHANNEL}/555"
    assert posted.stages[-1].at is not None


async def test_a_cross_feed_duplicate_names_the_feed_that_brought_it(store: Store) -> None:
    first = await follow(store, FEED_A, title="Feed A")
    second = await follow(store, FEED_B, title="Feed B")
    await store.store_articles(first.feed_id, [titled(1, "Same story")], deliver=True)
    await store.mark_sent((await delivery(store)).id, 777)
    same = titled(1, "Same story, other words")
    await store.store_articles(second.feed_id, [same], deliver=True)

    [found] = (await explain(store, GUILD, "https://example.org/news/1")).articles
    by_feed = {v.feed_url: v for v in found.channels}
    assert by_feed[FEED_A].outcome is Outcome.POSTED
    dup = by_feed[FEED_B]
    assert dup.outcome is Outcome.DUPLICATE
    assert "duplicate of \u201cSame story\u201d, posted in this channel via Feed A" in said(dup)
    assert dup.stages[-1].link == f"https://discord.com/channels/{GUILD}/{CHANNEL}/777"
    assert "already stored from another feed" in said(dup)


async def test_a_403_is_a_failure_in_plain_words(store: Store) -> None:
    sub = await follow(store)
    await store.store_articles(sub.feed_id, [article(1)], deliver=True)
    row = await delivery(store)
    # What the sender records for a 403: the subscription paused, the row kept pending.
    await store.pause_subscription(sub.id, pause_reason("Discord 403 (50013): Missing Permissions"))
    await store.mark_retry(row.id, "paused", row.next_attempt_at)
    verdict = only(await explain(store, GUILD, "https://example.org/news/1"))
    assert verdict.outcome is Outcome.FAILED
    assert "the bot lacks permission to post there (Discord 403)" in said(verdict)
    assert "/feed resume" in said(verdict)


async def test_a_refused_message_is_a_failure_in_plain_words(store: Store) -> None:
    sub = await follow(store)
    await store.store_articles(sub.feed_id, [article(1)], deliver=True)
    await store.mark_failed((await delivery(store)).id, "Discord 400 (50035): Invalid Form Body")
    verdict = only(await explain(store, GUILD, "https://example.org/news/1"))
    assert verdict.outcome is Outcome.FAILED
    assert "Discord refused the message (Discord 400)" in said(verdict)


async def test_a_pending_post_is_held_when_the_seam_says_so(store: Store) -> None:
    sub = await follow(store)
    await store.store_articles(sub.feed_id, [article(1)], deliver=True)

    def quiet(sub: SubscriptionRow, row: DeliveryRow, now: datetime) -> str | None:
        return "quiet hours until 07:00"

    verdict = only(await explain(store, GUILD, "https://example.org/news/1", held=quiet))
    assert verdict.outcome is Outcome.HELD
    assert verdict.stages[-1].text == "held: quiet hours until 07:00"


async def test_a_post_held_by_quiet_hours_says_when_it_goes_out(store: Store) -> None:
    sub = await follow(store)
    await store.set_controls(GUILD, CHANNEL, updated_by=1, quiet_start="22:00", quiet_end="07:00")
    await store.store_articles(sub.feed_id, [article(1)], deliver=True)
    row = await delivery(store)
    await store.hold_delivery(row.id, "quiet", datetime(2026, 3, 2, 23, 0, tzinfo=UTC))
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    verdict = only(await explain(store, GUILD, "https://example.org/news/1", now=late))
    assert verdict.outcome is Outcome.HELD
    end = int(datetime(2026, 3, 3, 7, 0, tzinfo=UTC).timestamp())
    assert verdict.stages[-1].text == (
        f"held: the channel's quiet hours; it goes out in a catch-up digest at <t:{end}:f>"
    )
    morning = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)  # over: the catch-up digest carries it
    after = only(await explain(store, GUILD, "https://example.org/news/1", now=morning))
    assert after.outcome is Outcome.QUEUED


async def test_a_post_over_the_daily_cap_is_held_for_the_next_digest(store: Store) -> None:
    sub = await follow(store)
    await store.set_controls(GUILD, CHANNEL, updated_by=1, daily_cap=1)
    await store.store_articles(sub.feed_id, [article(1)], deliver=True)
    row = await delivery(store)
    await store.hold_delivery(row.id, "cap", datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    noon = datetime(2026, 3, 2, 12, 5, tzinfo=UTC)
    verdict = only(await explain(store, GUILD, "https://example.org/news/1", now=noon))
    assert verdict.outcome is Outcome.HELD
    assert "daily cap is reached: it goes into the channel's next digest" in said(verdict)


async def test_only_the_guilds_own_channels_are_explained(store: Store) -> None:
    sub = await follow(store)
    await follow(store, channel=OTHER_CHANNEL, guild=OTHER_GUILD)
    await store.store_articles(sub.feed_id, [article(1)], deliver=True)
    [found] = (await explain(store, GUILD, "https://example.org/news/1")).articles
    assert [v.channel_id for v in found.channels] == [CHANNEL]
    with pytest.raises(ExplainError, match="No feed this server follows"):
        await explain(store, 12, "https://example.org/news/1")  # follows nothing


async def test_an_unknown_url_or_a_blank_one_is_a_clear_error(store: Store) -> None:
    await follow(store)
    with pytest.raises(ExplainError, match=r"has carried https://nowhere\.example/x"):
        await explain(store, GUILD, "https://nowhere.example/x")
    with pytest.raises(ExplainError, match="Give the address"):
        await explain(store, GUILD, "   ")


async def test_a_url_with_tracking_parameters_finds_the_article(store: Store) -> None:
    sub = await follow(store)
    await store.store_articles(sub.feed_id, [article(1)], deliver=False)
    answer = await explain(store, GUILD, "HTTPS://Example.org/news/1?utm_source=x#top")
    assert only(answer).outcome is Outcome.FIRST_POLL


async def test_a_feed_url_explains_its_newest_five_items(store: Store) -> None:
    sub = await follow(store, title="Feed A")
    await store.store_articles(sub.feed_id, [article(n) for n in range(1, 4)], deliver=False)
    await store.store_articles(sub.feed_id, [article(n) for n in range(4, 8)], deliver=True)
    answer = await explain(store, GUILD, FEED_A)
    assert answer.feed is not None
    assert [a.title for a in answer.articles] == [f"Story {n}" for n in (7, 6, 5, 4, 3)]
    outcomes = [a.channels[0].outcome for a in answer.articles]
    assert outcomes == [Outcome.QUEUED] * 4 + [Outcome.FIRST_POLL]
    with pytest.raises(ExplainError):
        await explain(store, OTHER_GUILD, FEED_A)  # another guild's feed is not theirs to see


async def test_filtered_by_one_feed_yet_queued_by_another_in_the_same_channel(
    store: Store,
) -> None:
    strict = await follow(store, FEED_A, title="Feed A", filters=Filters.build(exclude=["rain"]))
    loose = await follow(store, FEED_B, title="Feed B")
    await store.store_articles(strict.feed_id, [titled(1, "Rain again")], deliver=True)
    await store.store_articles(loose.feed_id, [titled(1, "Rain again")], deliver=True)
    [found] = (await explain(store, GUILD, "https://example.org/news/1")).articles
    by_feed = {v.feed_url: v.outcome for v in found.channels}
    assert by_feed == {FEED_A: Outcome.FILTERED, FEED_B: Outcome.QUEUED}
    assert (await delivery(store)).subscription_id == loose.id


async def test_ingest_marks_first_poll_entries_and_records_rejections_once(store: Store) -> None:
    sub = await follow(store, filters=Filters.build(include=["sun"]))
    await store.store_articles(sub.feed_id, [titled(1, "Rain")], deliver=False)
    await store.store_articles(sub.feed_id, [titled(2, "Rain"), titled(3, "Sun")], deliver=True)
    await store.store_articles(sub.feed_id, [titled(2, "Rain")], deliver=True)  # a repeat
    answer = await explain(store, GUILD, FEED_A)
    by_url = {a.url: a.channels[0].outcome for a in answer.articles}
    assert by_url == {
        "https://example.org/news/1": Outcome.FIRST_POLL,  # a first poll applies no filter
        "https://example.org/news/2": Outcome.FILTERED,
        "https://example.org/news/3": Outcome.QUEUED,
    }
