"""The gate before each instant post, and the answer to "is this article held here, and why"."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.controls import CAP, QUIET, admit, explain
from bot.store import Store
from tests.store.factory import article

GUILD, CHANNEL = 1, 10
NIGHT = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 00:00 in Berlin
MORNING = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


async def test_posts_are_held_in_quiet_hours_then_over_the_cap_and_explained(
    store: Store,
) -> None:
    feed = await store.add_feed("https://wire.example/feed", title="Wire")
    await store.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=None)
    await store.store_articles(feed.id, [article(f"a{n}") for n in range(3)], deliver=True)
    first, second, third = await store.list_deliveries(channel_id=CHANNEL)
    controls = await store.set_controls(
        GUILD,
        CHANNEL,
        updated_by=None,
        timezone="Europe/Berlin",
        quiet_start="22:00",
        quiet_end="07:00",
        daily_cap=1,
    )
    assert await explain(store, first.article_id, CHANNEL, MORNING) is None  # nothing holds it

    assert await admit(store, controls, first, NIGHT) == QUIET
    await store.hold_delivery(first.id, QUIET, NIGHT)
    hold = await explain(store, first.article_id, CHANNEL, NIGHT)
    assert hold is not None
    assert hold.reason == QUIET
    assert hold.until == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert "quiet hours" in hold.describe()

    assert await admit(store, controls, second, MORNING) is None  # counted: today's one post
    assert await explain(store, second.article_id, CHANNEL, MORNING) is None
    assert await admit(store, controls, third, MORNING) == CAP
    await store.hold_delivery(third.id, CAP, MORNING)
    hold = await explain(store, third.article_id, CHANNEL, MORNING)
    assert hold is not None
    assert hold.reason == CAP
    assert hold.until == datetime(2026, 3, 3, 23, 0, tzinfo=UTC)  # midnight in Berlin
    assert "daily cap" in hold.describe()

    assert await explain(store, 999_999, CHANNEL, MORNING) is None  # never queued here
    await store.mark_sent(second.id, 1)
    assert await explain(store, second.article_id, CHANNEL, MORNING) is None
