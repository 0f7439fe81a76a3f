"""Discord's size limits, and fitting any reply inside them.

Discord refuses a whole message (400, code 50035) when one part is over its limit, so every
reply passes through :func:`fit_content` and :func:`fit_embeds` first: a clipped reply is read,
a refused one leaves the user at "thinking…".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.render.article import (
    AUTHOR_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
    truncate,
)

log = logging.getLogger(__name__)

CONTENT = 2000
# Discord's limits are written once, beside the article renderer that first needed them.
TITLE = TITLE_LIMIT
DESCRIPTION = DESCRIPTION_LIMIT
FIELDS = FIELDS_LIMIT
FIELD_NAME = FIELD_NAME_LIMIT
FIELD_VALUE = FIELD_VALUE_LIMIT
FOOTER = FOOTER_LIMIT
AUTHOR = AUTHOR_LIMIT
EMBED_TOTAL = EMBED_TOTAL_LIMIT  # all embeds of one message together
EMBEDS = EMBEDS_PER_MESSAGE


def fit_content(text: str | None) -> str | None:
    """Message content within 2,000 characters."""
    return None if text is None else truncate(text, CONTENT)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Clip each part of ``embed`` to its own limit, in place; returns it."""
    if embed.title:
        embed.title = truncate(embed.title, TITLE)
    if embed.description:
        embed.description = truncate(embed.description, DESCRIPTION)
    fields = embed.fields[:FIELDS]
    if len(embed.fields) > len(fields) or any(
        len(f.name or "") > FIELD_NAME or len(f.value or "") > FIELD_VALUE for f in fields
    ):
        embed.clear_fields()
        for field in fields:
            name = truncate(field.name or "\u200b", FIELD_NAME)
            embed.add_field(name=name, value=truncate(field.value or "\u200b", FIELD_VALUE))
    if embed.footer.text and len(embed.footer.text) > FOOTER:
        embed.set_footer(text=truncate(embed.footer.text, FOOTER), icon_url=embed.footer.icon_url)
    if embed.author.name and len(embed.author.name) > AUTHOR:
        author = embed.author
        embed.set_author(name=truncate(author.name or "", AUTHOR), url=author.url)
    return embed


def fit_embeds(embeds: Sequence[discord.Embed]) -> list[discord.Embed]:
    """At most 10 embeds, each within its limits, together within 6,000 characters."""
    fitted = [fit_embed(embed) for embed in embeds[:EMBEDS]]
    while len(fitted) > 1 and sum(len(embed) for embed in fitted) > EMBED_TOTAL:
        fitted.pop()  # whole embeds read better than many clipped ones
    if fitted and len(fitted[0]) > EMBED_TOTAL:
        _shrink(fitted[0])
    return fitted


def _shrink(embed: discord.Embed) -> None:
    """Drop trailing fields, then cut the description and footer, until the embed fits 6,000."""
    while len(embed) > EMBED_TOTAL and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    excess = len(embed) - EMBED_TOTAL
    if excess > 0 and embed.description:
        embed.description = truncate(embed.description, max(1, len(embed.description) - excess))
    excess = len(embed) - EMBED_TOTAL
    if excess > 0 and embed.footer.text:
        text = truncate(embed.footer.text, max(1, len(embed.footer.text) - excess))
        embed.set_footer(text=text, icon_url=embed.footer.icon_url)
