"""What the bot needs where it posts: the one description of each kind of target's permissions.

Kept free of discord.py (flag names, labels and Discord's bits) so the command line can build
the invite URL from it; the cogs check a channel against it with discord.py's flags.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Permission:
    """One Discord permission: discord.py's flag name, Discord's label and its bit."""

    flag: str
    label: str
    bit: int


VIEW_CHANNEL = Permission("view_channel", "View Channel", 1 << 10)
SEND_MESSAGES = Permission("send_messages", "Send Messages", 1 << 11)
EMBED_LINKS = Permission("embed_links", "Embed Links", 1 << 14)
READ_MESSAGE_HISTORY = Permission("read_message_history", "Read Message History", 1 << 16)

# A text (or announcement) channel: posts are embeds, sent as the bot.
TEXT_CHANNEL = (VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS)
# What the invite asks for: every target's needs, plus reading messages for /keypoints.
INVITE = (*TEXT_CHANNEL, READ_MESSAGE_HISTORY)


def labels(needed: tuple[Permission, ...]) -> str:
    """``needed`` as Discord names them, e.g. "View Channel, Send Messages and Embed Links"."""
    names = [p.label for p in needed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def missing(has: Callable[[str], bool], needed: tuple[Permission, ...]) -> tuple[Permission, ...]:
    """The permissions of ``needed`` that ``has`` (flag name -> granted?) says are lacking."""
    return tuple(p for p in needed if not has(p.flag))


def integer(needed: tuple[Permission, ...]) -> int:
    """``needed`` as Discord's permissions integer."""
    total = 0
    for permission in needed:
        total |= permission.bit
    return total


def pause_reason(error: str) -> str:
    """What ``/feed status`` shows for a subscription paused by a 403."""
    return (
        f"paused: the bot may not post in this channel ({error}); "
        f"allow it {labels(TEXT_CHANNEL)} there"
    )
