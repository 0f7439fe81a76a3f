"""Posting one delivery and recording what Discord answered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import discord

from bot.delivery.outcome import Action, backoff, delivery_nonce
from bot.delivery.pacing import Pacer
from bot.delivery.permissions import pause_reason
from bot.delivery.sender import Outgoing, Sender, SendFailed, Target
from bot.delivery.unrecorded import Unrecorded
from bot.metrics import Metrics
from bot.render.article import article_embed, more_view
from bot.store import DeliveryRow, Store

log = logging.getLogger(__name__)

PAUSED = "paused"


class Poster:
    """Posts deliveries to Discord and records the outcome in the store."""

    def __init__(
        self,
        client: discord.Client,
        store: Store,
        pacer: Pacer,
        *,
        clock: Callable[[], datetime],
        metrics: Metrics | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.pacer = pacer
        self.sender = Sender(client, pacer, metrics=metrics)
        self.config = pacer.config
        self.clock = clock
        self.metrics = metrics
        self.unrecorded = Unrecorded()  # outcomes the database could not take yet

    async def post(self, row: DeliveryRow) -> Action | None:
        """Post one instant delivery; ``None`` when it was sent, else the action taken."""
        article = row.article
        if article is None:
            await self.unrecorded.record(
                f"delivery {row.id} skipped",
                lambda: self.store.mark_skipped(row.id, "article no longer stored"),
            )
            return Action.FAIL
        message = Outgoing(
            "post",
            delivery_nonce(row.id, article.id, row.channel_id),
            embeds=(
                article_embed(article, feed_title=row.feed_title, points=self.config.key_points),
            ),
            view=more_view(article.id),
            ping_role_id=row.ping_role_id,
        )
        await self.unrecorded.wait_clear()  # each post now could only add an unrecorded one
        try:
            message_id = await self.sender.send(Target(row.channel_id, row.guild_id), message)
        except SendFailed as failure:  # every failure is classified and recorded
            return await self.failed(row, failure)
        await self.unrecorded.record(
            f"delivery {row.id} sent as message {message_id}",
            lambda: self.store.mark_sent(row.id, message_id),
        )
        if self.metrics is not None:
            self.metrics.delivery_done("sent")
        return None

    async def failed(self, row: DeliveryRow, error: BaseException) -> Action:
        """Record a failed attempt as its class of error asks."""
        failure = SendFailed.of(error)
        action, reason = failure.action, failure.reason
        if action is Action.RETRY and row.attempts >= self.config.max_attempts:
            action = Action.FAIL
        log.warning("delivery %d to %d: %s -> %s", row.id, row.channel_id, reason, action.value)
        await self.unrecorded.record(
            f"delivery {row.id}: {action.value}", lambda: self._settle(row, action, reason)
        )
        return action

    async def _settle(self, row: DeliveryRow, action: Action, reason: str) -> None:
        """Record what a failed attempt's class of error asks for."""
        if action is Action.RETRY:
            await self.retry_later(row, reason)
        elif action is Action.PAUSE and row.subscription_id is not None:
            await self.store.pause_subscription(row.subscription_id, pause_reason(reason))
            await self.store.mark_retry(row.id, PAUSED, self.clock())
        elif action is Action.REMOVE_CHANNEL:
            removed = await self.store.remove_channel(row.channel_id)
            log.info("channel %d is gone: %d subscriptions removed", row.channel_id, removed)
        else:
            await self.store.mark_failed(row.id, reason)
            if self.metrics is not None:
                self.metrics.delivery_done("failed")

    async def retry_later(self, row: DeliveryRow, reason: str) -> None:
        """Try the row again after a back-off that grows with its attempts."""
        delay = backoff(
            row.attempts, base=self.config.retry_base_seconds, maximum=self.config.retry_max_seconds
        )
        await self.store.mark_retry(row.id, reason, self.clock() + timedelta(seconds=delay))

    async def release(self, row: DeliveryRow, reason: str) -> None:
        """Give a claimed row back without posting it (due now; paused rows are not claimed)."""
        await self.unrecorded.record(
            f"delivery {row.id} handed back",
            lambda: self.store.mark_retry(row.id, reason, self.clock()),
        )
