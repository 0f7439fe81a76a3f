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

from bot.controls.gate import is_quiet
from bot.delivery import Action, Outgoing, Sender, SendFailed, Target
from bot.delivery import forum as forum_posts
from bot.delivery.outcome import digest_nonce
from bot.render.article import THREAD_NAME_LIMIT, truncate
from bot.render.digest import DigestPost, render_digest
from bot.schedules import ChannelDigest, as_utc, compose, due_schedules, next_run
from bot.store import ChannelControlsRow, DeliveryRow, ScheduleRow
from cogs._postable import Postable
from cogs.digest._catchup import CatchUps
from cogs.digest._channels import ChannelUnavailable

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)


class DigestRunner:
    """Runs due schedules (the scheduler job) and on-demand digests, one at a time per channel."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.store = bot.runtime.store
        self.backlog = bot.runtime.backlog()
        self.clock = bot.runtime.clock
        self.metrics = bot.runtime.metrics
        # The pacer every poster shares: digests and instant posts wait for each other.
        self.sender = Sender(bot, bot.pacer, metrics=self.metrics)
        self.lock: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.catch_ups = CatchUps(self)

    async def run_due(self) -> int:
        """Run every schedule due at the runtime's "now"; returns how many ran."""
        now = self.clock()
        ran = 0
        due = due_schedules(await self.store.list_schedules(), now)
        controls = await self.store.controls_for(r.channel_id for r in due) if due else {}
        for row in due:
            if self.bot.get_guild(row.guild_id) is None:
                continue  # a guild of another shard (or one the bot left)
            if is_quiet(controls.get(row.channel_id), now):
                continue  # stays due: it runs when the quiet hours end
            try:
                await self.run_schedule(row, now)
                ran += 1
            except Exception:
                log.exception(
                    "digest of channel %s failed; retried at the next tick", row.channel_id
                )
        return ran

    async def tick(self) -> int:
        """The scheduler job: catch-up digests of ended quiet hours first, then due schedules."""
        released: int = await self.catch_ups.release_held()
        return released + await self.run_due()

    async def run_schedule(self, row: ScheduleRow, now: datetime) -> int:
        """One scheduled run: post what arrived since the last run, then set the next run."""
        # Only posts queued before the run was due: a retried run sees the same posts.
        cutoff = as_utc(row.next_run_at) if row.next_run_at is not None else now
        try:
            posted = await self.post_digest(
                row.channel_id,
                timezone=row.timezone,
                now=now,
                cutoff=cutoff,
                publish=row.publish,
                forum_tags=row.forum_tags,
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
        forum_tags: tuple[int, ...] = (),
    ) -> int:
        """Post the channel's pending digest articles; returns how many (0: nothing posted).

        With ``publish`` each message is published before its rows are marked sent: a run
        repeated after a crash gets the same messages back (their nonces) and publishes them
        (a message already published counts as done). In a forum the run is one post: its
        first message starts it (made once, see :mod:`bot.delivery.forum`), the rest follow in it.
        The channel's digest maximum bounds the articles shown; the rest are named "N more".
        """
        channel = await self.channel(channel_id)
        async with self.lock[channel_id]:
            rows = await self.store.pending_digest(channel_id)
            when = now.astimezone(ZoneInfo(timezone))
            if isinstance(channel, discord.ForumChannel):
                rows = await self._finish_started_posts(channel, rows, when, publish=publish)
            controls = await self.store.get_controls(channel_id)
            digest = await self.compose_for(channel_id, rows, controls, cutoff=cutoff)
            return await self.post_composed(
                channel,
                digest,
                rows,
                when=when,
                now=now,
                publish=publish,
                forum_tags=forum_tags,
            )

    async def _finish_started_posts(
        self, forum: discord.ForumChannel, rows: list[DeliveryRow], when: datetime, *, publish: bool
    ) -> list[DeliveryRow]:
        """Post the later parts of a forum digest cut short (a crash) into its own post; the
        rows not yet in a post are returned. The parts get the nonces of their first attempt,
        so one Discord already took is answered with that message, not posted again."""
        started: defaultdict[int, list[DeliveryRow]] = defaultdict(list)
        for row in rows:
            if row.message_id is not None:
                started[row.message_id].append(row)
        points = self.bot.runtime.settings.key_points
        for post_id, part_rows in started.items():
            digest = compose(forum.id, part_rows)
            target = Target(post_id, forum.guild.id)
            try:
                for post in render_digest(digest, when=when, points=points, title="Digest"):
                    await self._send(target, post, publish=publish)
            except SendFailed as failure:
                if failure.action is Action.RETRY:
                    raise  # a passing fault: the run is tried again, still in this post
                # The post is gone or refuses us: its rows join the next new post.
                log.warning("digest post %d could not be finished: %s", post_id, failure.reason)
                await self.store.mark_in_post([r.id for r in part_rows], None)
        return [row for row in rows if row.message_id is None or row.message_id not in started]

    async def compose_for(
        self,
        channel_id: int,
        rows: list[DeliveryRow],
        controls: ChannelControlsRow | None,
        *,
        cutoff: datetime | None = None,
        summarised: int = 0,
    ) -> ChannelDigest:
        """The digest of ``rows``, bounded by the channel's digest maximum when it has one."""
        rows = await self.backlog.complete_deliveries(rows)  # key points a first poll left out
        maximum = controls.digest_max if controls is not None else None
        coverage: dict[int, int] = {}
        if maximum is not None and len(rows) > maximum:
            coverage = await self.store.coverage(channel_id, [r.article_id for r in rows])
        return compose(
            channel_id,
            rows,
            cutoff=cutoff,
            maximum=maximum,
            coverage=coverage,
            summarised=summarised,
        )

    async def post_composed(
        self,
        channel: Postable,
        digest: ChannelDigest,
        rows: list[DeliveryRow],
        *,
        when: datetime,
        now: datetime,
        publish: bool,
        forum_tags: tuple[int, ...],
        title: str = "Digest",
    ) -> int:
        """Post a composed digest through the one sender; returns how many articles it showed."""
        if not digest.count:
            return 0
        points = self.bot.runtime.settings.key_points
        started = time.monotonic()
        target = Target(channel.id, channel.guild.id)
        posts = render_digest(digest, when=when, points=points, title=title)
        if isinstance(channel, discord.ForumChannel):
            in_flight = {r.id: r.in_flight_at for r in rows}
            target = await self._start_post(target, posts.pop(0), in_flight, forum_tags, now)
            rest = [i for post in posts for i in post.delivery_ids]
            await self.store.mark_in_post(rest, target.channel_id)
        for post in posts:
            await self._send(target, post, publish=publish)
        if digest.left_out:  # named in the header as "N more"
            await self.store.mark_skipped_many(digest.left_out, "beyond the digest maximum")
        if self.metrics is not None:
            self.metrics.digest_done(time.monotonic() - started)
        return digest.count

    async def _start_post(
        self,
        forum: Target,
        post: DigestPost,
        in_flight: dict[int, datetime | None],
        tags: tuple[int, ...],
        now: datetime,
    ) -> Target:
        """Start the run's forum post with its first message; the thread the rest go into."""
        thread_id = await forum_posts.post_once(
            self.sender,
            self.store,
            forum,
            rows=[(i, in_flight.get(i)) for i in post.delivery_ids],
            name=truncate(post.content.replace("**", ""), THREAD_NAME_LIMIT),
            match_name=False,  # a retry on another day would name it differently
            message=self._message(forum, post),
            tags=tags,
            is_ours=forum_posts.starts_digest(post.embeds),
            now=now,
        )
        await self.store.mark_sent_many(post.delivery_ids, thread_id)
        if self.metrics is not None:
            self.metrics.delivery_done("sent", len(post.delivery_ids))
        return Target(thread_id, forum.guild_id)

    async def channel(self, channel_id: int) -> Postable:
        """The channel, thread or forum (an archived thread is not cached: it is fetched)."""
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException:
                channel = None
        if not isinstance(channel, discord.TextChannel | discord.Thread | discord.ForumChannel):
            raise ChannelUnavailable(f"channel {channel_id} is not a text channel I can see")
        return channel

    @staticmethod
    def _message(target: Target, post: DigestPost) -> Outgoing:
        return Outgoing(
            "digest",
            digest_nonce(target.channel_id, post.delivery_ids),
            content=post.content,
            embeds=post.embeds,
        )

    async def _send(self, target: Target, post: DigestPost, *, publish: bool) -> None:
        """Post one message of a digest and mark the outbox rows it carries sent."""
        message_id = await self.sender.send(target, self._message(target, post))
        if publish:
            await self.sender.publish(target, message_id)
        await self.store.mark_sent_many(post.delivery_ids, message_id)
        if self.metrics is not None:
            self.metrics.delivery_done("sent", len(post.delivery_ids))
