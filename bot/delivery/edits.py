"""Editing a posted message when its feed changed the item: through the one sender, once.

Instant posts are edited whole; a digest message has the changed post's block replaced.

The outbox row says which message; the article is read as stored when the edit is claimed,
so the edit shows every change made until then. A message that is gone (deleted: 10008) or
can no longer be edited is left alone with a log line, never posted again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from bot.delivery.outcome import Action, digest_nonce
from bot.delivery.permissions import FORUM
from bot.delivery.post import Poster
from bot.delivery.sender import Outgoing, SendFailed, Target
from bot.render.article import article_embed
from bot.schedules import OTHER_NEWS
from bot.store import DeliveryRow

log = logging.getLogger(__name__)

RETRY_SECONDS = 60.0  # a transient failure (5xx, network) is tried again this much later


async def edit_post(poster: Poster, row: DeliveryRow) -> Action | None:
    """Edit the message of a sent post to show its article as stored; None when edited.

    A digest message is edited as a whole: every post it carries, as stored now, in its order
    (its header stays).
    """
    article, message_id = row.article, row.message_id
    if article is None or message_id is None:
        return await _drop(poster, row, "article no longer stored")
    forum = await poster.sender.channels.kind(row.channel_id) == FORUM
    if row.kind == "digest":
        if forum:  # a digest's later messages live in a thread whose id is not kept
            return await _drop(poster, row, "digest posts in a forum are not edited")
        message = await _digest_message(poster, row.channel_id, message_id)
    else:
        message = replace(poster.message(row, article), kind="edit")
    # A forum post's starter message lives in its thread, whose id is the message's.
    target = Target(message_id if forum else row.channel_id, row.guild_id)
    await poster.unrecorded.wait_clear()
    try:
        if row.webhook_name is not None and row.kind != "digest":
            await poster.webhooks.edit(target, message_id, message)
        else:
            await poster.sender.edit(target, message_id, message)
    except SendFailed as failure:
        return await _failed(poster, row, failure)
    edited_at = poster.clock()
    await poster.unrecorded.record(
        f"delivery {row.id} edited", lambda: poster.store.mark_edited(row.id, edited_at)
    )
    return None


async def _digest_message(poster: Poster, channel_id: int, message_id: int) -> Outgoing:
    """A digest message's embeds as its posts are stored now (the header is not sent again)."""
    rows = await poster.store.digest_message(channel_id, message_id)
    embeds = tuple(
        article_embed(
            r.article, feed_title=r.feed_title or OTHER_NEWS, points=poster.config.key_points
        )
        for r in rows
        if r.article is not None
    )
    return Outgoing("edit", digest_nonce(channel_id, [r.id for r in rows]), embeds=embeds)


async def _drop(poster: Poster, row: DeliveryRow, reason: str) -> Action:
    log.info("delivery %d: edit dropped: %s", row.id, reason)
    await poster.unrecorded.record(
        f"edit of delivery {row.id} dropped", lambda: poster.store.drop_edit(row.id, reason)
    )
    return Action.FAIL


async def _failed(poster: Poster, row: DeliveryRow, failure: SendFailed) -> Action:
    """A transient failure is tried again; any other leaves the message as it is."""
    reason = f"edit: {failure.reason}"
    if failure.action is Action.RETRY:
        at = poster.clock() + timedelta(seconds=RETRY_SECONDS)
        log.info(
            "delivery %d: edit of message %s failed (%s), retried", row.id, row.message_id, reason
        )
        await poster.unrecorded.record(
            f"edit of delivery {row.id} retried",
            lambda: poster.store.retry_edit(row.id, reason, at),
        )
        return Action.RETRY
    log.warning(
        "delivery %d: message %s in %d not edited, left as it is: %s",
        row.id,
        row.message_id,
        row.channel_id,
        failure.reason,
    )
    await poster.unrecorded.record(
        f"edit of delivery {row.id} dropped", lambda: poster.store.drop_edit(row.id, reason)
    )
    return Action.FAIL
