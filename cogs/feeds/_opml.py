"""``/feed import`` and ``/feed export``: OPML in and out, over :mod:`bot.opml`."""

from __future__ import annotations

import io
import logging

import discord

from bot.opml import MAX_BYTES, ImportResult

log = logging.getLogger(__name__)

EXPORT_FILENAME = "briefing-feeds.opml"


def too_big(attachment: discord.Attachment) -> str | None:
    """Why an uploaded file is refused before it is read, if it is."""
    if attachment.size > MAX_BYTES:
        return (
            f"{attachment.filename} is {attachment.size // 1024} KiB; an OPML file may be at "
            f"most {MAX_BYTES // (1024 * 1024)} MiB. Nothing was imported."
        )
    return None


def imported(
    result: ImportResult, channel: discord.abc.GuildChannel | discord.Thread, filename: str
) -> str:
    """What an import did, in a sentence or three."""
    lines = [
        f"Imported **{discord.utils.escape_markdown(filename)}** into {channel.mention}: "
        f"{result.subscribed} feed(s) followed, {result.already_subscribed} already followed."
    ]
    if result.skipped:
        shown = ", ".join(f"{url} ({why})" for url, why in result.skipped[:5])
        more = f" and {len(result.skipped) - 5} more" if len(result.skipped) > 5 else ""
        lines.append(f"Left out: {discord.utils.escape_markdown(shown)}{more}.")
    lines.append("Their current items are recorded at the first poll; new articles follow.")
    return "\n".join(lines)


def export_file(data: bytes) -> discord.File:
    """The OPML document as an attachment."""
    return discord.File(io.BytesIO(data), filename=EXPORT_FILENAME)
