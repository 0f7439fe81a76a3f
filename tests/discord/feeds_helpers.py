"""Helpers for the /feed command tests: starting the bot with the feeds cog, reading replies."""

from __future__ import annotations

from typing import Any

from tests.fakediscord import FakeDiscord, InteractionHandle, Message
from tests.fixtures.bot import RunningBot, StartBot

EXTENSIONS = ("cogs.feeds",)  # no poll job: the tests poll by hand when they need to


async def start_feeds_bot(start_bot: StartBot, **settings: Any) -> RunningBot:
    """The real bot with only the /feed commands loaded."""
    return await start_bot(extensions=EXTENSIONS, **settings)


def text_of(message: Message) -> str:
    """Everything a user reads in a message: content, embed titles, descriptions, fields."""
    parts = [message.content]
    for embed in message.embeds:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


async def reply(handle: InteractionHandle) -> Message:
    """The final answer to a command (a deferred one once it was filled)."""
    return await handle.original_message(timeout=10)


async def run(fake: FakeDiscord, name: str, options: dict[str, Any], **kw: Any) -> Message:
    """Invoke a command and return its final answer."""
    return await reply(await fake.interact(name, options, **kw))


def buttons(message: Message) -> dict[str, dict[str, Any]]:
    """The message's buttons by label."""
    found: dict[str, dict[str, Any]] = {}
    for row in message.components:
        for component in row.get("components", []):
            if component.get("type") == 2:
                found[component.get("label", "")] = component
    return found
