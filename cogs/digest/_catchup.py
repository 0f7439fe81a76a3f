"""Catch-up digests: what channel controls held (quiet hours, the daily cap) once it may go out."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.controls import CAP, QUIET, local_day
from bot.controls.gate import is_quiet
from bot.delivery import Action, Outgoing, SendFailed, Target
from bot.delivery.outcome import digest_nonce
from bot.render.digest import more_line
from bot.store import ChannelControlsRow, DeliveryRow, ScheduleRow
from cogs.digest._channels import ChannelUnavailable

if TYPE_CHECKING:
    from cogs.digest._runner import DigestRunner

log = logging.getLogger(__name__)

REFUSED_WAIT = timedelta(hours=1)  # before a refused catch-up is tried again


class CatchUps:
    """Posts one catch-up digest per channel whose held posts may go out, through the runner."""

    def __init__(self, runner: DigestRunner) -> None:
        self.runner = runner
        # Channels whose catch-up Discord refused (permissions...): not tried before this.
        self.refused: dict[int, datetime] = {}

    async def release_held(self) -> int:
        """Post what channel controls held and may now go out; returns how many channels."""
        now = self.runner.clock()
        channels = await self.runner.store.held_channels()
        if not channels:
            return 0
        controls = await self.runner.store.controls_for(channels)
        schedules = {s.channel_id: s for s in await self.runner.store.list_schedules()}
        released = 0
        for channel_id, oldest in sorted(channels.items()):
            row, schedule = controls.get(channel_id), schedules.get(channel_id)
            if not _release_due(oldest, row, schedule, now):
                continue  # without reading the held posts: this runs at every tick
            if self.refused.get(channel_id, now) > now:
                continue
            try:
                released += await self.catch_up(channel_id, row, schedule, now)
            except SendFailed as failure:
                await self._catch_up_refused(channel_id, failure, now)
            except ChannelUnavailable as exc:
                log.warning("catch-up of channel %s not posted: %s", channel_id, exc)
                self.refused[channel_id] = now + REFUSED_WAIT
            except Exception:
                log.exception("catch-up of channel %s failed; retried at the next tick", channel_id)
        return released

    async def _catch_up_refused(self, channel_id: int, failure: SendFailed, now: datetime) -> None:
        """Discord refused a catch-up: retry at the next tick, forget the channel, or wait."""
        if failure.action is Action.RETRY:
            return  # transient: the next tick tries again, with the same nonces
        if failure.action is Action.REMOVE_CHANNEL:
            log.warning("channel %s is gone: its subscriptions and controls removed", channel_id)
            await self.runner.store.remove_channel(channel_id)
            return
        log.warning("catch-up of channel %s not posted: %s", channel_id, failure.reason)
        self.refused[channel_id] = now + REFUSED_WAIT  # the posts stay held meanwhile

    async def catch_up(
        self,
        channel_id: int,
        controls: ChannelControlsRow | None,
        schedule: ScheduleRow | None,
        now: datetime,
    ) -> int:
        """Post one catch-up digest of the posts held in quiet hours (1), or nothing (0).

        Posts held over the daily cap in a channel without a schedule are named in it as "N more"
        once their day is over (alone on one line when nothing else waits); with a schedule, the
        next scheduled digest carries them.
        """
        held = await self.runner.store.held_deliveries(channel_id)
        if not held or self.runner.bot.get_guild(held[0].guild_id) is None:
            return 0  # nothing, or a guild of another shard
        zone = controls.timezone if controls is not None else "UTC"
        quiet = [r for r in held if r.held == QUIET]
        over = [] if schedule is not None else _over_cap_due(held, controls, now)
        if not quiet and not over:
            return 0
        channel = await self.runner.channel(channel_id)
        async with self.runner.lock[channel_id]:
            digest = await self.runner.compose_for(
                channel_id, quiet, controls, summarised=len(over)
            )
            if digest.count:
                await self.runner.post_composed(
                    channel,
                    digest,
                    quiet,
                    when=now.astimezone(ZoneInfo(zone)),
                    now=now,
                    publish=schedule is not None and schedule.publish,
                    forum_tags=schedule.forum_tags if schedule is not None else (),
                    title="Catch-up",
                )
            elif not isinstance(channel, discord.ForumChannel):  # a forum takes no bare line
                cap = controls.daily_cap if controls is not None else None
                line = more_line(len(over), cap)
                nonce = digest_nonce(channel_id, [r.id for r in over])
                target = Target(channel_id, channel.guild.id)
                await self.runner.sender.send(target, Outgoing("digest", nonce, content=line))
            if over:
                await self.runner.store.mark_skipped_many(
                    [r.id for r in over], "over the daily cap"
                )
        log.info(
            "catch-up of channel %s: %d articles, %d more", channel_id, digest.count, digest.more
        )
        return 1


def _release_due(
    oldest: dict[str, datetime],
    controls: ChannelControlsRow | None,
    schedule: ScheduleRow | None,
    now: datetime,
) -> bool:
    """Whether a channel's held posts (oldest held per reason) may go out at ``now``."""
    if is_quiet(controls, now):
        return False
    if QUIET in oldest:
        return True
    if CAP not in oldest or schedule is not None:
        return False  # the next scheduled digest carries posts over the cap
    if controls is None or controls.daily_cap is None:
        return True  # the cap was lifted
    return local_day(oldest[CAP], controls.timezone) < local_day(now, controls.timezone)


def _over_cap_due(
    held: list[DeliveryRow], controls: ChannelControlsRow | None, now: datetime
) -> list[DeliveryRow]:
    """Posts held over the daily cap whose day is over (or whose cap was lifted)."""
    if controls is None or controls.daily_cap is None:
        return [r for r in held if r.held == CAP]
    today = local_day(now, controls.timezone)
    return [
        r
        for r in held
        if r.held == CAP and (r.held_at is None or local_day(r.held_at, controls.timezone) < today)
    ]
