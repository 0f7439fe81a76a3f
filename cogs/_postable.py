"""Where Briefing can post, as a slash command option: a channel, a thread or a forum."""

from __future__ import annotations

import discord

# Announcement channels are TextChannels to discord.py; voice and stage chats are left out.
Postable = discord.TextChannel | discord.Thread | discord.ForumChannel
