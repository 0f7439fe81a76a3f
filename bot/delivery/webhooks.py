"""Posts through the channel's webhook, under a subscription's name and avatar, exactly once.

Briefing makes one webhook per channel (a thread posts through its parent's, with
``thread_id``), or adopts the one it made before when the store has lost it (listing the
channel's webhooks: its application's, named "Briefing"). It keeps the webhook's id and token in
the store (the token is a secret: never logged or shown) and makes a new one when Discord
answers that it is gone (10015 Unknown Webhook: that request made nothing, so it is sent again
through the new webhook). Executing a webhook needs no permission of the bot; making one needs
Manage Webhooks, and so does posting here: without it (as the gateway's cache tells, or
Discord's 403 when making the webhook) the subscription is paused, with what is lacking shown
in ``/feed status``.

Discord takes no nonce for a webhook's message. Each post is still made exactly once:

1. **One row, one post.** The outbox holds one row per (article, channel), held by one worker
   at a time (a claim with a lease; see :mod:`bot.delivery.worker`).
2. **Marked before, recorded after.** Before the request the row is marked in flight, and that
   mark is committed. The request asks Discord to wait (``wait=true``) and answer with the
   message, whose id is recorded with the row sent. So every request that may have made a post
   left a mark, whatever happened next: a kill -9 before the answer, a lost answer, a timeout,
   a kill -9 after the answer and before its record, a database outage.
3. **Look before trying again.** An attempt on a marked row first reads the target's most recent
   ``LOOKUP`` messages for one posted by a webhook of this application that carries this
   article's "More" button (its custom id holds the article id; the outbox has one row per
   article and channel, so only this row makes that message there). A match is recorded as the
   row's post and nothing is sent. No match: the earlier attempt made nothing, and the post is
   made. Any webhook of the application counts, so a post made through a webhook deleted since
   is found too.

A crash between the mark and the request looks needlessly; one after the request finds the
post. What this cannot see: a post deleted by moderators before the retry (it is made again),
or one pushed out of the last ``LOOKUP`` messages before the retry (the retry comes within
seconds of a restart or back-off, so only a burst of that many messages in between could hide
it). Reading the messages takes Read Message History, which ``/feed add`` asks for.
discord.py's webhook client repeats a request answered 5xx on its own, and Discord may have
posted before failing: that repeat is refused at the wire
(:func:`bot.delivery.wire.sent_at_most_once`), so the attempt fails and the next one looks.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import discord

from bot.delivery.outcome import Action
from bot.delivery.permissions import MANAGE_WEBHOOKS, WEBHOOK, pause_reason
from bot.delivery.persona import Persona
from bot.delivery.sender import Outgoing, Sender, SendFailed, Target, allowed_mentions
from bot.delivery.sender import message_parts as parts
from bot.delivery.wire import sent_at_most_once
from bot.store import Store, WebhookRow

log = logging.getLogger(__name__)

LOOKUP = 100  # a target's most recent messages read before a retry (one request)
UNKNOWN_WEBHOOK = 10015
WEBHOOK_NAME = "Briefing"  # the webhook's own name; each post carries its subscription's


class Webhooks:
    """Posts and edits through the webhooks Briefing owns, under the sender's pacing."""

    def __init__(self, sender: Sender, store: Store) -> None:
        self.sender = sender
        self.store = store
        self._known: dict[int, WebhookRow] = {}  # channel id -> its webhook, as last used

    async def post_once(
        self,
        target: Target,
        *,
        row_id: int,
        in_flight_at: datetime | None,
        message: Outgoing,
        persona: Persona,
        is_ours: Callable[[discord.Message], bool],
        now: datetime,
    ) -> int:
        """The row's post through the webhook: the one an earlier attempt made, else a new one."""
        parent, thread = await self._place(target)
        self._check_allowed(target, parent)
        if in_flight_at is not None:
            found = await self.find(target, is_ours)
            if found is not None:
                log.info(
                    "channel %d: post %d of an earlier attempt found", target.channel_id, found
                )
                return found
        await self.store.mark_in_flight([row_id], now)
        return await self.execute(target, parent, thread, message, persona)

    async def execute(
        self, target: Target, parent: int, thread: int | None, message: Outgoing, persona: Persona
    ) -> int:
        """Post ``message`` through the channel's webhook; the message's id, or SendFailed."""
        for attempt in (1, 2):
            hook = await self._webhook(target, parent)
            await self.sender.pacer.acquire_webhook(target.channel_id, hook.webhook_id)
            try:
                with sent_at_most_once():
                    sent = await self._partial(hook).send(
                        wait=True,
                        username=persona.name,
                        avatar_url=persona.avatar_url or discord.utils.MISSING,
                        thread=discord.Object(thread) if thread else discord.utils.MISSING,
                        allowed_mentions=allowed_mentions(message),
                        **parts(message),
                    )
            except discord.NotFound as exc:
                if exc.code != UNKNOWN_WEBHOOK:
                    raise self._failed(exc, target, message) from exc
                await self._lost(hook)  # Discord made nothing: send again through a new one
                if attempt == 2:
                    raise SendFailed(Action.RETRY, "the channel's webhook vanished twice") from exc
            except Exception as exc:  # every failure is classified for the caller
                raise self._failed(exc, target, message) from exc
            else:
                self.sender.count(message.kind, "sent")
                return sent.id
        raise AssertionError("unreachable")

    async def edit(self, target: Target, message_id: int, message: Outgoing) -> None:
        """Replace a webhook post's content (through the webhook that made it, if still ours)."""
        parent, thread = await self._place(target)
        hook = await self._webhook(target, parent)
        await self.sender.pacer.acquire_webhook(target.channel_id, hook.webhook_id)
        try:
            await self._partial(hook).edit_message(
                message_id,
                thread=discord.Object(thread) if thread else discord.utils.MISSING,
                allowed_mentions=discord.AllowedMentions.none(),
                **parts(message),
            )
        except Exception as exc:  # every failure is classified for the caller
            raise self._failed(exc, target, message) from exc
        self.sender.count(message.kind, "sent")

    async def find(self, target: Target, is_ours: Callable[[discord.Message], bool]) -> int | None:
        """The id of a recent message in the target from a webhook of this application that
        ``is_ours``, if any."""
        channel = self.sender.client.get_partial_messageable(
            target.channel_id, guild_id=target.guild_id
        )
        app = self.sender.client.application_id
        await self.sender.pacer.acquire_global()
        try:
            async for message in channel.history(limit=LOOKUP):
                by_us = message.webhook_id is not None and message.application_id == app
                if by_us and is_ours(message):
                    return message.id
        except Exception as exc:
            raise self._advised(self.sender.failure(exc, target)) from exc
        return None

    async def _place(self, target: Target) -> tuple[int, int | None]:
        """The channel whose webhook posts into the target, and the thread (if it is one)."""
        channel = await self.sender.channels.get(target.channel_id)
        if isinstance(channel, discord.Thread) and channel.parent_id is not None:
            return channel.parent_id, channel.id
        return target.channel_id, None

    def _check_allowed(self, target: Target, parent: int) -> None:
        """Pause (SendFailed) when the cache says the bot lost Manage Webhooks here."""
        channel = self.sender.client.get_channel(parent)
        if not isinstance(channel, discord.abc.GuildChannel):
            return  # not cached: Discord's answer to making the webhook will tell
        if not channel.permissions_for(channel.guild.me).manage_webhooks:
            reason = f"Missing Permissions: {MANAGE_WEBHOOKS.label}"
            raise SendFailed(Action.PAUSE, reason, pause_reason(reason, WEBHOOK))

    async def _webhook(self, target: Target, parent: int) -> WebhookRow:
        """The channel's webhook: remembered, stored, or made now (and stored)."""
        known = self._known.get(parent) or await self.store.channel_webhook(parent)
        if known is None:
            known = await self._make(target, parent)
        self._known[parent] = known
        return known

    async def _make(self, target: Target, parent: int) -> WebhookRow:
        """The channel's webhook, kept: Briefing's own already there (the store lost it, say
        after a restore), else a new one; another's, when one was kept meanwhile."""
        http = self.sender.client.http
        try:
            await self.sender.pacer.acquire_global()
            data = self._ours(await http.channel_webhooks(parent))
            if data is None:
                await self.sender.pacer.acquire_global()
                data = await http.create_webhook(parent, name=WEBHOOK_NAME)
        except Exception as exc:
            raise self._advised(self.sender.failure(exc, Target(parent, target.guild_id))) from exc
        made = WebhookRow(parent, target.guild_id or 0, int(data["id"]), str(data["token"]))
        kept = await self.store.keep_channel_webhook(made)
        log.info("channel %d: posts through webhook %d", parent, kept.webhook_id)
        if kept.webhook_id != made.webhook_id:  # another process made one first: use its
            with contextlib.suppress(Exception):
                await self._partial(made).delete()
        return kept

    def _ours(self, hooks: Sequence[Any]) -> Any | None:
        """The first of a channel's webhooks that Briefing made (its application's, its name,
        with a token: an incoming webhook), if any."""
        app = str(self.sender.client.application_id)
        for hook in hooks:
            mine = str(hook.get("application_id")) == app and hook.get("name") == WEBHOOK_NAME
            if mine and hook.get("token"):
                return hook
        return None

    async def _lost(self, hook: WebhookRow) -> None:
        """Forget a webhook Discord no longer knows (deleted in the channel's settings)."""
        log.info("channel %d: webhook %d is gone; making another", hook.channel_id, hook.webhook_id)
        self._known.pop(hook.channel_id, None)
        await self.store.forget_channel_webhook(hook.channel_id, hook.webhook_id)

    def _partial(self, hook: WebhookRow) -> discord.Webhook:
        """The webhook bound to the client (its session and state: views work, nothing charged
        to the global limit, as the request carries the webhook's token, not the bot's)."""
        return discord.Webhook.partial(hook.webhook_id, hook.token, client=self.sender.client)

    def _failed(self, exc: BaseException, target: Target, message: Outgoing) -> SendFailed:
        failure = self._advised(self.sender.failure(exc, target))
        self.sender.count(message.kind, failure.action.value)
        return failure

    @staticmethod
    def _advised(failure: SendFailed) -> SendFailed:
        """``failure``, a pause saying what a webhook post needs (not what a message does)."""
        if failure.action is Action.PAUSE:
            failure.advice = pause_reason(failure.reason, WEBHOOK)
        return failure
