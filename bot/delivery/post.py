"""Posting one delivery and recording what Discord answered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import discord

from bot.delivery import forum
from bot.delivery.outcome import Action, backoff, delivery_nonce
from bot.delivery.pacing import Pacer
from bot.delivery.permissions import FORUM, pause_reason
from bot.delivery.persona import Persona
from bot.delivery.publishing import PUBLISH_WINDOW, publish_slot, too_late
from bot.delivery.sender import Outgoing, Sender, SendFailed, Target
from bot.delivery.unrecorded import Unrecorded
from bot.delivery.webhooks import Webhooks
from bot.metrics import Metrics
from bot.render.article import article_embed, more_view, post_title
from bot.store import ArticleRow, DeliveryRow, Store

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
        self.webhooks = Webhooks(self.sender, store)
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
        target = Target(row.channel_id, row.guild_id)
        await self.unrecorded.wait_clear()  # each post now could only add an unrecorded one
        try:
            message_id = row.message_id  # set: posted by an earlier attempt, not yet published
            if message_id is None and row.webhook_name is not None:
                message_id = await self._webhook_post(row, article, target)
            elif message_id is None and await self.sender.channels.kind(row.channel_id) == FORUM:
                message_id = await self._forum_post(row, article, target)
            elif message_id is None:
                message_id = await self._earlier_webhook_post(row, article, target)
                if message_id is None:
                    message_id = await self.sender.send(target, self.message(row, article))
            if row.publish and (waiting := await self._publish(row, target, message_id)):
                return waiting
        except SendFailed as failure:  # every failure is classified and recorded
            return await self.failed(row, failure)
        await self.unrecorded.record(
            f"delivery {row.id} sent as message {message_id}",
            lambda: self.store.mark_sent(row.id, message_id),
        )
        if self.metrics is not None:
            self.metrics.delivery_done("sent")
        return None

    def message(self, row: DeliveryRow, article: ArticleRow) -> Outgoing:
        """The article's post: its embed with the key points and the "More" button."""
        return Outgoing(
            "post",
            delivery_nonce(row.id, article.id, row.channel_id),
            embeds=(
                article_embed(article, feed_title=row.feed_title, points=self.config.key_points),
            ),
            view=more_view(article.id),
            ping_role_id=row.ping_role_id,
        )

    async def _forum_post(self, row: DeliveryRow, article: ArticleRow, target: Target) -> int:
        """One forum post for the article, made once (see :mod:`bot.delivery.forum`)."""
        return await forum.post_once(
            self.sender,
            self.store,
            target,
            rows=[(row.id, row.in_flight_at)],
            name=post_title(article),
            message=self.message(row, article),
            tags=row.forum_tags,
            is_ours=forum.starts_article(article.id),
            now=self.clock(),
        )

    async def _webhook_post(self, row: DeliveryRow, article: ArticleRow, target: Target) -> int:
        """One post through the channel's webhook, made once (see :mod:`bot.delivery.webhooks`)."""
        assert row.webhook_name is not None
        return await self.webhooks.post_once(
            target,
            row_id=row.id,
            in_flight_at=row.in_flight_at,
            message=self.message(row, article),
            persona=Persona(row.webhook_name, row.webhook_avatar),
            is_ours=forum.starts_article(article.id),
            now=self.clock(),
        )

    async def _earlier_webhook_post(
        self, row: DeliveryRow, article: ArticleRow, target: Target
    ) -> int | None:
        """The post an earlier attempt made through the channel's webhook, for a row marked in
        flight whose subscription now posts as the bot: that execute carried no nonce, so the
        bot's post would not be matched with it."""
        if row.in_flight_at is None:
            return None
        found = await self.webhooks.find(target, forum.starts_article(article.id))
        if found is not None:
            log.info("delivery %d: its webhook post %d of an earlier attempt found", row.id, found)
        return found

    async def _publish(self, row: DeliveryRow, target: Target, message_id: int) -> Action | None:
        """Publish a posted message: its id is recorded first, so a crash repeats only this step.

        A repeat after a crash between the post and its record gets the same message back
        (the nonce); one after publishing is answered "already crossposted" and counts as done.
        Over the channel's publishes of the hour (see :mod:`bot.delivery.publishing`) the
        publish waits in the outbox, and the channel's next posts go on: returns RETRY then.
        """
        if row.message_id is None:
            await self.store.mark_posted(row.id, message_id)
        now = self.clock()
        if too_late(row.created_at, now):
            reason = "not published: the channel's publishes were used up for a day"
            log.warning("delivery %d to %d: %s", row.id, row.channel_id, reason)
            await self.store.mark_unpublished(row.id, message_id, reason)
            return Action.FAIL  # the post stays; its publish failed for good
        recent = await self.store.publish_times(row.channel_id, now - PUBLISH_WINDOW)
        slot = publish_slot(recent, now)
        if slot is None:
            try:
                await self.sender.publish(target, message_id)
                return None
            except SendFailed as failure:
                if failure.retry_after is None:
                    raise
                slot = now + timedelta(seconds=failure.retry_after)
        reason = f"publish waits for the channel's hourly limit, until {slot:%H:%M} UTC"
        log.info("delivery %d to %d: %s", row.id, row.channel_id, reason)
        await self.unrecorded.record(
            f"delivery {row.id}: publish deferred",
            lambda: self.store.defer_publish(row.id, message_id, slot, reason),
        )
        return Action.RETRY

    async def failed(self, row: DeliveryRow, error: BaseException) -> Action:
        """Record a failed attempt as its class of error asks."""
        failure = SendFailed.of(error)
        action, reason = failure.action, failure.reason
        if action is Action.RETRY and row.attempts >= self.config.max_attempts:
            action = Action.FAIL
        log.warning("delivery %d to %d: %s -> %s", row.id, row.channel_id, reason, action.value)
        advice = failure.advice or pause_reason(reason)
        await self.unrecorded.record(
            f"delivery {row.id}: {action.value}", lambda: self._settle(row, action, reason, advice)
        )
        return action

    async def _settle(self, row: DeliveryRow, action: Action, reason: str, advice: str) -> None:
        """Record what a failed attempt's class of error asks for (``advice``: a pause's)."""
        if action is Action.RETRY:
            await self.retry_later(row, reason)
        elif action is Action.PAUSE and row.subscription_id is not None:
            await self.store.pause_subscription(row.subscription_id, advice)
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
        if row.editing:  # a sent post claimed for an edit: the edit stays due
            await self.unrecorded.record(
                f"edit of delivery {row.id} handed back", lambda: self.store.release_edit(row.id)
            )
            return
        await self.unrecorded.record(
            f"delivery {row.id} handed back",
            lambda: self.store.mark_retry(row.id, reason, self.clock()),
        )
