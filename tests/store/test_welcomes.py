"""Welcomes: a guild is claimed once; a released claim can be taken again."""

from __future__ import annotations

from bot.store import Store

GUILD, CHANNEL, OTHER = 1 << 60, (1 << 60) + 1, (1 << 60) + 2  # snowflakes need 64 bits


async def test_a_guild_is_claimed_once_until_released(store: Store) -> None:
    assert await store.welcomed_channel(GUILD) is None
    assert await store.claim_welcome(GUILD, CHANNEL)
    assert not await store.claim_welcome(GUILD, OTHER)
    assert await store.welcomed_channel(GUILD) == CHANNEL
    await store.release_welcome(GUILD)
    assert await store.welcomed_channel(GUILD) is None
    assert await store.claim_welcome(GUILD, OTHER)
    assert await store.welcomed_channel(GUILD) == OTHER
