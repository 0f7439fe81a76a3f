"""Which kind of target a Discord channel is, in the words of :mod:`bot.delivery.permissions`."""

from __future__ import annotations

import logging
from collections import OrderedDict

import discord

from bot.delivery.permissions import ANNOUNCEMENT, FORUM, TEXT, THREAD

log = logging.getLogger(__name__)

LOOKED_UP = 4096  # channels remembered from REST look-ups


def target_kind(channel: object) -> str | None:
    """The kind of target ``channel`` is, or None when Briefing cannot post there."""
    if isinstance(channel, discord.Thread):
        return THREAD
    if isinstance(channel, discord.ForumChannel) and not channel.is_media():
        return FORUM
    if isinstance(channel, discord.TextChannel):
        return ANNOUNCEMENT if channel.is_news() else TEXT
    return None


class Channels:
    """Channels as the sender needs them: from the gateway's cache, else looked up once.

    Right after a restart the cache is empty until the gateway has sent the guilds, and a
    process without the gateway role never fills it; yet a forum must be posted as a forum
    from the first post on. So a channel the cache lacks is fetched over REST (one request)
    and remembered; the cache wins whenever it has the channel, as it is kept current.
    """

    def __init__(self, client: discord.Client, *, size: int = LOOKED_UP) -> None:
        self.client = client
        self.size = size
        self._looked_up: OrderedDict[int, object] = OrderedDict()
        self.lookups = 0  # REST requests made (for tests and benchmarks)

    async def get(self, channel_id: int) -> object | None:
        """The channel, or None when Discord does not let the bot see it."""
        cached = self.client.get_channel(channel_id)
        if cached is not None:
            self._looked_up.pop(channel_id, None)
            return cached
        if channel_id in self._looked_up:
            self._looked_up.move_to_end(channel_id)
            return self._looked_up[channel_id]
        self.lookups += 1
        try:
            channel: object = await self.client.fetch_channel(channel_id)
        except Exception as exc:  # gone, hidden or unreachable: the post itself will say so
            log.debug("channel %d could not be looked up: %s", channel_id, exc)
            return None
        self._looked_up[channel_id] = channel
        while len(self._looked_up) > self.size:
            self._looked_up.popitem(last=False)
        return channel

    async def kind(self, channel_id: int) -> str:
        """The channel's kind (a text channel when it cannot be seen)."""
        return target_kind(await self.get(channel_id)) or TEXT

    def known_kind(self, channel_id: int) -> str:
        """The kind as far as known without a request (for wording a failure)."""
        channel = self.client.get_channel(channel_id) or self._looked_up.get(channel_id)
        return target_kind(channel) or TEXT
