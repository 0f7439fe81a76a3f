"""The webhooks Briefing owns, one per channel: made once, kept, replaced when Discord lost it."""

from __future__ import annotations

import logging

from sqlalchemy import delete, select

from bot.store.base import StoreBase, insert_ignore
from bot.store.rows import WebhookRow
from bot.store.tables import ChannelWebhook

log = logging.getLogger(__name__)


class WebhooksMixin(StoreBase):
    """The channel webhooks part of :class:`~bot.store.Store`."""

    async def channel_webhook(self, channel_id: int) -> WebhookRow | None:
        """The webhook Briefing owns in ``channel_id``, if it made one."""
        stmt = select(
            ChannelWebhook.channel_id,
            ChannelWebhook.guild_id,
            ChannelWebhook.webhook_id,
            ChannelWebhook.token,
        ).where(ChannelWebhook.channel_id == channel_id)
        async with self._db.read() as conn:
            found = (await conn.execute(stmt)).first()
        return WebhookRow(*found) if found is not None else None

    async def keep_channel_webhook(self, webhook: WebhookRow) -> WebhookRow:
        """Keep a webhook just made for its channel; the one kept (another's, if it came first)."""
        values = {
            "channel_id": webhook.channel_id,
            "guild_id": webhook.guild_id,
            "webhook_id": webhook.webhook_id,
            "token": webhook.token,
            "created_at": self._clock(),
        }
        async with self._db.write() as conn:
            await conn.execute(insert_ignore(self._db, ChannelWebhook), values)
        kept = await self.channel_webhook(webhook.channel_id)
        return kept or webhook

    async def forget_channel_webhook(self, channel_id: int, webhook_id: int) -> None:
        """Forget a channel's webhook that Discord no longer knows (unless already replaced)."""
        async with self._db.write() as conn:
            await conn.execute(
                delete(ChannelWebhook).where(
                    ChannelWebhook.channel_id == channel_id,
                    ChannelWebhook.webhook_id == webhook_id,
                )
            )
