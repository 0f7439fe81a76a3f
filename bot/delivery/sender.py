"""The one way Briefing posts a message: paced, with a nonce, classified, counted.

Instant posts, digest messages and failing-feed notices all go through :class:`Sender`, so
they share one pacer (Discord's global and per-channel limits), one nonce scheme (see
:mod:`bot.delivery.outcome`), one classification of Discord's answers and one set of metrics.
What to do with a failure (retry a row, pause a subscription, forget a channel) stays with
the caller, which knows what the message was for. Posts through a webhook
(:mod:`bot.delivery.webhooks`) use this sender's pacer, classification and metrics too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import discord

from bot.delivery.outcome import (
    ALREADY_CROSSPOSTED,
    NONCE_LIMIT,
    THREAD_ARCHIVED,
    Action,
    classify,
    describe,
)
from bot.delivery.pacing import Pacer
from bot.delivery.permissions import locked_thread_reason, pause_reason
from bot.delivery.publishing import PUBLISH_PATIENCE, PUBLISH_RETRY
from bot.delivery.targets import Channels
from bot.delivery.wire import sent_at_most_once
from bot.metrics import Metrics

log = logging.getLogger(__name__)

KINDS = ("post", "digest", "notice", "edit")
ARCHIVED_LOOKUP = 50  # a forum's most recent archived posts looked at before a retry


@dataclass(frozen=True, slots=True)
class Target:
    """Where a message goes: a channel (or thread) of a guild."""

    channel_id: int
    guild_id: int | None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message: text and/or embeds, an optional view, its kind and its nonce.

    ``ping_role_id`` names the one role the message mentions (a subscription's opt-in ping):
    the sender puts the mention first and lets Discord ping that role and nothing else.
    """

    kind: str  # one of KINDS, the metrics label
    nonce: str
    content: str | None = None
    embeds: tuple[discord.Embed, ...] = ()
    view: discord.ui.View | None = None
    ping_role_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if not 0 < len(self.nonce) <= NONCE_LIMIT:
            raise ValueError(f"a nonce has 1 to {NONCE_LIMIT} characters, not {len(self.nonce)}")


class SendFailed(Exception):
    """Discord (or the network) refused a message; ``action`` says what that calls for.

    ``advice`` (for a pause) is what ``/feed status`` shows: what the bot lacks and where.
    """

    def __init__(
        self,
        action: Action,
        reason: str,
        advice: str | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.action = action
        self.reason = reason
        self.advice = advice
        self.retry_after = retry_after  # seconds to wait before trying again, when known

    @classmethod
    def of(cls, exc: BaseException) -> SendFailed:
        """``exc`` classified (itself when it already is a :class:`SendFailed`)."""
        if isinstance(exc, SendFailed):
            return exc
        return cls(classify(exc), describe(exc))


class Sender:
    """Sends :class:`Outgoing` messages under the shared pacer and counts every outcome."""

    def __init__(
        self, client: discord.Client, pacer: Pacer, *, metrics: Metrics | None = None
    ) -> None:
        self.client = client
        self.pacer = pacer
        self.metrics = metrics
        self.channels = Channels(client)

    async def send(self, target: Target, message: Outgoing) -> int:
        """Post ``message``; returns its Discord id, or raises :class:`SendFailed`.

        A repeat with the same nonce (after a crash before the outcome was recorded) gets
        Discord's first message back instead of a second one.
        """
        channel = self.client.get_partial_messageable(target.channel_id, guild_id=target.guild_id)
        await self.pacer.acquire(target.channel_id)
        try:
            sent = await channel.send(
                nonce=message.nonce,
                allowed_mentions=allowed_mentions(message),
                **message_parts(message),
            )
        except Exception as exc:  # every failure is classified for the caller
            failure = self.failure(exc, target)
            self.count(message.kind, failure.action.value)
            raise failure from exc
        self.count(message.kind, "sent")
        return sent.id

    async def edit(self, target: Target, message_id: int, message: Outgoing) -> None:
        """Replace a posted message's content with ``message``'s; raises :class:`SendFailed`.

        Paced like a post. An edit pings nobody (Discord notifies only on a new message).
        """
        channel = self.client.get_partial_messageable(target.channel_id, guild_id=target.guild_id)
        await self.pacer.acquire(target.channel_id)
        try:
            await channel.get_partial_message(message_id).edit(
                allowed_mentions=discord.AllowedMentions.none(), **message_parts(message)
            )
        except Exception as exc:  # every failure is classified for the caller
            failure = SendFailed.of(exc)
            self.count(message.kind, failure.action.value)
            raise failure from exc
        self.count(message.kind, "sent")

    def failure(self, exc: BaseException, target: Target) -> SendFailed:
        """``exc`` classified; a pause says what the bot lacks in this kind of target."""
        failure = SendFailed.of(exc)
        if isinstance(exc, discord.HTTPException) and exc.code == THREAD_ARCHIVED:
            # Discord unarchives a thread on a post, unless it is locked and the bot may not
            # moderate it: someone has to unlock it, or let the bot manage threads.
            return SendFailed(Action.PAUSE, failure.reason, locked_thread_reason(failure.reason))
        if failure.action is Action.PAUSE and failure.advice is None:
            kind = self.channels.known_kind(target.channel_id)
            failure.advice = pause_reason(failure.reason, kind)
        return failure

    async def create_forum_post(
        self, target: Target, name: str, message: Outgoing, tags: tuple[int, ...] = ()
    ) -> int:
        """Create a post (a thread and its starter message) in a forum; returns the thread's id.

        Discord takes no nonce here: :mod:`bot.delivery.forum` makes it exactly once. The
        starter message's id is the thread's.
        """
        try:
            forum = await self._forum(target)
            await self.pacer.acquire(target.channel_id)
            with sent_at_most_once():
                created = await forum.create_thread(
                    name=name,
                    allowed_mentions=discord.AllowedMentions.none(),
                    applied_tags=[discord.Object(tag) for tag in tags],  # type: ignore[misc]
                    **message_parts(message),
                )
        except Exception as exc:  # every failure is classified for the caller
            failure = self.failure(exc, target)
            self.count(message.kind, failure.action.value)
            raise failure from exc
        self.count(message.kind, "sent")
        return created.thread.id

    async def find_forum_post(
        self, target: Target, name: str | None, is_ours: Callable[[discord.Message], bool]
    ) -> int | None:
        """The bot's post in the forum named ``name`` whose starter ``is_ours``, if any.

        Looks at the guild's active threads and the forum's most recent archived ones.
        """
        try:
            forum = await self._forum(target)
            me = self.client.user.id if self.client.user else None
            candidates = [t for t in await forum.guild.active_threads() if t.parent_id == forum.id]
            candidates += [t async for t in forum.archived_threads(limit=ARCHIVED_LOOKUP)]
            for thread in candidates:
                if thread.owner_id != me or (name is not None and thread.name != name):
                    continue
                try:
                    starter = await thread.fetch_message(thread.id)
                except discord.NotFound:  # the starter was deleted: not a post to count
                    continue
                if is_ours(starter):
                    return thread.id
        except Exception as exc:
            raise self.failure(exc, target) from exc
        return None

    async def _forum(self, target: Target) -> discord.ForumChannel:
        forum = await self.channels.get(target.channel_id)
        if not isinstance(forum, discord.ForumChannel):
            raise SendFailed(Action.FAIL, f"channel {target.channel_id} is not a forum I can see")
        return forum

    async def publish(self, target: Target, message_id: int) -> None:
        """Publish (crosspost) a message of an announcement channel to its followers.

        Idempotent: a message already published (a repeat after a crash) counts as published.
        Discord lets the author publish with Send Messages; others' messages need Manage Messages.
        """
        channel = self.client.get_partial_messageable(target.channel_id, guild_id=target.guild_id)
        await self.pacer.acquire_global()  # not a message: the channel's window is not used
        try:
            # A 429 of the channel's hourly publishes (used up by hand: the outbox does not
            # count those) is slept through by discord.py, for up to an hour; give up waiting
            # sooner and let the outbox try again later, so the channel's posts go on.
            async with asyncio.timeout(PUBLISH_PATIENCE):
                await channel.get_partial_message(message_id).publish()
        except TimeoutError as exc:
            self.count("publish", Action.RETRY.value)
            reason = "Discord held the publish back (the channel's publishes of the hour?)"
            raise SendFailed(Action.RETRY, reason, retry_after=PUBLISH_RETRY) from exc
        except discord.HTTPException as exc:
            if exc.code != ALREADY_CROSSPOSTED:
                failure = self.failure(exc, target)
                self.count("publish", failure.action.value)
                raise failure from exc
        except Exception as exc:
            failure = self.failure(exc, target)
            self.count("publish", failure.action.value)
            raise failure from exc
        self.count("publish", "sent")

    def count(self, kind: str, outcome: str) -> None:
        """Count one outcome of a message of ``kind`` (the metrics)."""
        if self.metrics is not None:
            self.metrics.message_sent(kind, outcome)


def allowed_mentions(message: Outgoing) -> discord.AllowedMentions:
    """Who may be pinged: the message's role if it has one, else nobody (never @everyone)."""
    if message.ping_role_id is None:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(
        everyone=False,
        users=False,
        roles=[discord.Object(message.ping_role_id)],
        replied_user=False,
    )


def message_parts(message: Outgoing) -> dict[str, Any]:
    """The parts of ``message`` it has (discord.py takes no ``view=None``)."""
    parts: dict[str, Any] = {}
    content = message.content
    if message.ping_role_id is not None:
        mention = f"<@&{message.ping_role_id}>"
        content = f"{mention} {content}" if content else mention
    if content is not None:
        parts["content"] = content
    if message.embeds:
        parts["embeds"] = list(message.embeds)
    if message.view is not None:
        parts["view"] = message.view
    return parts
