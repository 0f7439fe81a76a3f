"""Editing a posted message when its feed changed the item: through the one sender, once.

The outbox row says which message; the article is read as stored when the edit is claimed,
so the edit shows every change made until then. A message that is gone (deleted: 10008) or
can no longer be edited is left alone with a log line, never posted again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from bot.delivery.outcome import Action
from bot.delivery.permissions import FORUM
from bot.delivery.post import Poster
from bot.delivery.sender import SendFailed, Target
from bot.delivery.targets import kind_of
from bot.store import DeliveryRow

log = logging.getLogger(__name__)

RETRY_SECONDS = 60.0  # a transient failure (5xx, network) is tried again this much later


async def edit_post(poster: Poster, row: DeliveryRow) -> Action | None:
    """Edit the message of a sent post to show its article as stored; None when edited."""
    article, message_id = row.article, row.message_id
    if article is None or message_id is None:
        await poster.unrecorded.record(
            f"edit of delivery {row.id} dropped",
            lambda: poster.store.drop_edit(row.id, "article no longer stored"),
        )
        return Action.FAIL
    channel_id = row.channel_id
    if kind_of(poster.client, channel_id) == FORUM:
        channel_id = message_id  # a forum post's starter message lives in its thread
    message = replace(poster.message(row, article), kind="edit")
    await poster.unrecorded.wait_clear()
    try:
        await poster.sender.edit(Target(channel_id, row.guild_id), message_id, message)
    except SendFailed as failure:
        return await _failed(poster, row, failure)
    edited_at = poster.clock()
    await poster.unrecorded.record(
        f"delivery {row.id} edited", lambda: poster.store.mark_edited(row.id, edited_at)
    )
    return None


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
