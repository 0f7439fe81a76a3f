"""Welcomes: which guilds the bot has greeted, so each is greeted once, rejoins included."""

from __future__ import annotations

import logging

from sqlalchemy import delete, select

from bot.store.base import StoreBase, insert_ignore
from bot.store.tables import Welcome

log = logging.getLogger(__name__)


class WelcomesMixin(StoreBase):
    """The welcomes part of :class:`~bot.store.Store`."""

    async def claim_welcome(self, guild_id: int, channel_id: int) -> bool:
        """Record that ``guild_id`` is being welcomed in ``channel_id``; False if it already was.

        Claimed before the message is sent: two joins racing (or a rejoin) cannot both greet.
        """
        async with self._db.write() as conn:
            result = await conn.execute(
                insert_ignore(self._db, Welcome),
                {"guild_id": guild_id, "channel_id": channel_id, "welcomed_at": self._clock()},
            )
            return bool(result.rowcount)

    async def release_welcome(self, guild_id: int) -> None:
        """Forget a claim whose message Discord refused, so the next join may greet."""
        async with self._db.write() as conn:
            await conn.execute(delete(Welcome).where(Welcome.guild_id == guild_id))

    async def welcomed_channel(self, guild_id: int) -> int | None:
        """The channel where ``guild_id`` was welcomed, or None if it never was."""
        async with self._db.read() as conn:
            found: int | None = await conn.scalar(
                select(Welcome.channel_id).where(Welcome.guild_id == guild_id)
            )
            return found
