"""Digest runs: post a channel's pending digest articles, mark them sent, record the run."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.delivery import Action, Outgoing, Sender, SendFailed, Target
from bot.delivery.outcome import digest_nonce
from bot.render.digest import DigestPost, render_digest
from bot.schedules import as_utc, compose, due_schedules, next_run
from bot.store import ScheduleRow

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)


class ChannelUnavailable(Exception):
    """The channel is not one the bot can post a digest in."""


class DigestRunner:
    """Runs due schedules (the scheduler job) and on-demand digests, one at a time per channel."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.store = bot.runtime.store
        self.clock = bot.runtime.clock
        self.metrics = bot.runtime.metrics
        # The pacer every poster shares: digests and instant posts wait for each other.
        self.sender = Sender(bot, bot.pacer, metrics=self.metrics)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def run_due(self) -> int:
        """Run every schedule due at the runtime's "now"; returns how many ran."""
        now = self.clock()
        ran = 0
        for row in due_schedules(await self.store.list_schedules(), now):
            if self.bot.get_guild(row.guild_id) is None:
                continue  # a guild of another shard (or one the bot left)
            try:
                await self.run_schedule(row, now)
                ran += 1
            except Exception:
                log.exception(
                    "digest of channel %s failed; retried at the next tick", row.channel_id
                )
        return ran

    async def run_schedule(self, row: ScheduleRow, now: datetime) -> int:
        """One scheduled run: post what arrived since the last run, then set the next run."""
        # Only posts queued before the run was due: a retried run sees the same posts.
        cutoff = as_utc(row.next_run_at) if row.next_run_at is not None else now
        try:
            posted = await self.post_digest(
                row.channel_id, timezone=row.timezone, now=now, cutoff=cutoff, publish=row.publish
            )
        except SendFailed as failure:
            if failure.action is Action.RETRY:
                raise  # transient: the run is retried at the next tick, with the same nonces
            if failure.action is Action.REMOVE_CHANNEL:  # only Discord's "unknown channel"
                log.warning(
                    "channel %s is gone: its subscriptions and schedule removed", row.channel_id
                )
                await self.store.remove_channel(row.channel_id)
                return 0
            # The articles stay queued for the next run, once the channel is fixed.
            log.warning("digest of channel %s not posted: %s", row.channel_id, failure.reason)
            posted = 0
        except ChannelUnavailable as exc:
            log.warning("digest of channel %s not posted: %s", row.channel_id, exc)
            posted = 0
        await self.store.mark_schedule_run(
            row.id, now, next_run_at=next_run(row.cron, row.timezone, now)
        )
        log.info("digest of channel %s: %d articles", row.channel_id, posted)
        return posted

    async def post_digest(
        self,
        channel_id: int,
        *,
        timezone: str,
        now: datetime,
        cutoff: datetime | None = None,
        publish: bool = False,
    ) -> int:
        """Post the channel's pending digest articles; returns how many (0: nothing posted).

        With ``publish`` each message is published before its rows are marked sent: a run
        repeated after a crash gets the same messages back (their nonces) and publishes them
        (a message already published counts as done).
        """
        channel = await self._channel(channel_id)
        async with self._locks[channel_id]:
            digest = compose(channel_id, await self.store.pending_digest(channel_id), cutoff=cutoff)
            if not digest.count:
                return 0
            when = now.astimezone(ZoneInfo(timezone))
            points = self.bot.runtime.settings.key_points
            started = time.monotonic()
            for post in render_digest(digest, when=when, points=points):
                await self._send(Target(channel_id, channel.guild.id), post, publish=publish)
            if self.metrics is not None:
                self.metrics.digest_done(time.monotonic() - started)
            return digest.count

    async def _channel(self, channel_id: int) -> discord.TextChannel | discord.Thread:
        """The channel or thread (an archived thread is not cached: it is fetched)."""
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException:
                channel = None
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise ChannelUnavailable(f"channel {channel_id} is not a text channel I can see")
        return channel

    async def _send(self, target: Target, post: DigestPost, *, publish: bool) -> None:
        """Post one message of a digest and mark the outbox rows it carries sent."""
        message = Outgoing(
            "digest",
            digest_nonce(target.channel_id, post.delivery_ids),
            content=post.content,
            embeds=post.embeds,
        )
        message_id = await self.sender.send(target, message)
        if publish:
            await self.sender.publish(target, message_id)
        await self.store.mark_sent_many(post.delivery_ids, message_id)
        if self.metrics is not None:
            self.metrics.delivery_done("sent", len(post.delivery_ids))
