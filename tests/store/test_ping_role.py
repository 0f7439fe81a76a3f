"""A subscription's ping role: set, cleared, scoped to its guild, and carried by its posts."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store import Store
from tests.store.factory import article, hours

GUILD, OTHER_GUILD, CHANNEL = 1, 2, 10
ROLE = 1 << 62  # role ids are 64-bit snowflakes


async def test_the_ping_role_is_set_cleared_and_handed_out_with_each_post(store: Store) -> None:
    feed = await store.add_feed("https://alerts.example/feed", title="Alerts")
    sub = await store.subscribe(feed.id, GUILD, CHANNEL, mode="instant", added_by=None)
    assert sub.ping_role_id is None
    assert await store.set_ping_role(OTHER_GUILD, sub.id, ROLE) is None  # not that guild's
    updated = await store.set_ping_role(GUILD, sub.id, ROLE)
    assert updated is not None
    assert updated.ping_role_id == ROLE

    await store.store_articles(feed.id, [article("a1")], deliver=True)
    soon = datetime.now(UTC) + hours(1)
    [row] = await store.claim_pending_deliveries(soon, limit=5, lease_seconds=60)
    assert row.ping_role_id == ROLE

    cleared = await store.set_ping_role(GUILD, sub.id, None)
    assert cleared is not None
    assert cleared.ping_role_id is None
    await store.store_articles(feed.id, [article("a2")], deliver=True)
    [row] = await store.claim_pending_deliveries(soon, limit=5, lease_seconds=60)
    assert row.ping_role_id is None
