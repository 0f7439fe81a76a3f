"""Webhooks: a subscription's name and avatar reach its posts; a channel keeps one webhook."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store import Store, WebhookRow
from tests.store.factory import article, hours

GUILD, OTHER_GUILD = 1, 2
CHANNEL = 1 << 62  # snowflakes need 64 bits
HOOK, OTHER_HOOK = (1 << 62) + 1, (1 << 62) + 2
AVATAR = "https://example.org/bbc.png"


async def test_the_webhook_name_and_avatar_are_set_cleared_and_carried_by_each_post(
    store: Store,
) -> None:
    feed = await store.add_feed("https://news.example/feed", title="News")
    sub = await store.subscribe(
        feed.id, GUILD, CHANNEL, mode="instant", added_by=None, webhook_name="BBC World"
    )
    assert (sub.webhook_name, sub.webhook_avatar) == ("BBC World", None)
    assert await store.set_webhook(OTHER_GUILD, sub.id, "X", None) is None  # not that guild's
    updated = await store.set_webhook(GUILD, sub.id, "BBC Sport", AVATAR)
    assert updated is not None
    assert (updated.webhook_name, updated.webhook_avatar) == ("BBC Sport", AVATAR)
    await store.store_articles(feed.id, [article("a1")], deliver=True)
    soon = datetime.now(UTC) + hours(1)
    [row] = await store.claim_pending_deliveries(soon, limit=5, lease_seconds=60)
    assert (row.webhook_name, row.webhook_avatar) == ("BBC Sport", AVATAR)

    cleared = await store.set_webhook(GUILD, sub.id, None, AVATAR)  # no name: no avatar either
    assert cleared is not None
    assert (cleared.webhook_name, cleared.webhook_avatar) == (None, None)


async def test_a_channel_keeps_the_first_webhook_until_it_is_forgotten(store: Store) -> None:
    assert await store.channel_webhook(CHANNEL) is None
    first = WebhookRow(CHANNEL, GUILD, HOOK, "secret-token-1")
    assert await store.keep_channel_webhook(first) == first
    racing = WebhookRow(CHANNEL, GUILD, OTHER_HOOK, "secret-token-2")
    assert await store.keep_channel_webhook(racing) == first  # another process came first
    await store.forget_channel_webhook(CHANNEL, OTHER_HOOK)  # not the kept one: no change
    assert await store.channel_webhook(CHANNEL) == first
    await store.forget_channel_webhook(CHANNEL, HOOK)
    assert await store.channel_webhook(CHANNEL) is None
    assert "secret-token" not in repr(first)
