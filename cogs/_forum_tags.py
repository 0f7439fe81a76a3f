"""Forum tags chosen by name for a subscription or a digest schedule, checked against the forum."""

from __future__ import annotations

import logging

import discord

from bot.errors import BriefingError

log = logging.getLogger(__name__)

MAX_TAGS = 5  # Discord's limit of tags on one forum post


class TagRefused(BriefingError):
    """The tags asked for do not fit the channel; the message says which would."""


def forum_tags(channel: object, typed: str | None) -> tuple[int, ...]:
    """The ids of the tags named in ``typed`` (comma-separated), checked against the forum's."""
    names = [n.strip() for n in (typed or "").split(",") if n.strip()]
    if not isinstance(channel, discord.ForumChannel):
        if names:
            raise TagRefused("Tags are for forum channels only: leave `tags` out.")
        return ()
    available = {tag.name.casefold(): tag for tag in channel.available_tags}
    listed = ", ".join(tag.name for tag in channel.available_tags) or "none"
    unknown = [n for n in names if n.casefold() not in available]
    if unknown:
        raise TagRefused(f"{channel.mention} has no tag {', '.join(unknown)}. Its tags: {listed}.")
    if len(names) > MAX_TAGS:
        raise TagRefused(f"A forum post takes at most {MAX_TAGS} tags.")
    if not names and channel.flags.require_tag:
        raise TagRefused(f"{channel.mention} requires a tag on every post: pick one ({listed}).")
    return tuple(dict.fromkeys(available[n.casefold()].id for n in names))
