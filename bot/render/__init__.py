"""Rendering stored articles and digests as Discord messages, within Discord's limits.

Only this package, ``bot.app``, ``bot.delivery`` and ``cogs/`` import discord. Everything that
comes from a feed is Markdown-escaped and has its mentions neutralised here.
"""
