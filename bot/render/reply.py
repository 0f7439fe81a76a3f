"""Answering an interaction: one helper every cog uses, fitted to Discord's limits.

It answers whether or not the interaction was deferred (the first answer is the response,
later ones are follow-ups) and never lets a reply ping anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord

from bot.render.limits import fit_content, fit_embeds

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    embeds: Sequence[discord.Embed] = (),
    ephemeral: bool = True,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
) -> None:
    """Send ``content`` and embeds (clipped to Discord's limits) as the answer or a follow-up."""
    fitted = fit_embeds([embed, *embeds] if embed is not None else list(embeds))
    options: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_MENTIONS}
    if content is not None:
        options["content"] = fit_content(content)
    if fitted:
        options["embeds"] = fitted
    if view is not None:
        options["view"] = view
    if file is not None:
        options["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(**options)
    else:
        await interaction.response.send_message(**options)
