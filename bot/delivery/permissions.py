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
MANAGE_WEBHOOKS = Permission("manage_webhooks", "Manage Webhooks", 1 << 29)
MANAGE_THREADS = Permission("manage_threads", "Manage Threads", 1 << 34)
SEND_MESSAGES_IN_THREADS = Permission(
    "send_messages_in_threads", "Send Messages in Threads", 1 << 38
)

# Discord shows Send Messages as "Create Posts" in a forum: the same bit.
CREATE_POSTS = Permission("send_messages", "Create Posts", 1 << 11)

# Kinds of target (what ``target_kind`` in bot.delivery.targets tells of a channel).
TEXT, ANNOUNCEMENT, THREAD, FORUM = "text", "announcement", "thread", "forum"
# Not a kind of channel: how a subscription with a webhook name posts (into a channel or thread).
WEBHOOK = "webhook"

# A text (or announcement) channel: posts are embeds, sent as the bot. Publishing its own
# messages in an announcement channel needs Send Messages only (others' need Manage Messages).
TEXT_CHANNEL = (VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS)
# A thread: Discord checks Send Messages in Threads there, not Send Messages. An archived thread
# is unarchived by the post itself; a locked one needs Manage Threads (asked for in that channel
# only, not in the invite: it lets the bot moderate threads).
THREAD_TARGET = (VIEW_CHANNEL, SEND_MESSAGES_IN_THREADS, EMBED_LINKS)
# A forum: one post (a thread) per article; before a retry the bot reads the forum's threads
# and their starter messages (bot.delivery.forum), which takes Read Message History.
FORUM_TARGET = (VIEW_CHANNEL, CREATE_POSTS, EMBED_LINKS, READ_MESSAGE_HISTORY)
# Through a webhook: the bot makes (and, when deleted, remakes) the channel's webhook, and before
# a retry reads the channel's recent messages (bot.delivery.webhooks). Posting needs no more: the
# webhook's token is the authority. Asked for in that channel only, not in the invite.
WEBHOOK_TARGET = (VIEW_CHANNEL, MANAGE_WEBHOOKS, READ_MESSAGE_HISTORY)
NEEDS = {
    WEBHOOK: WEBHOOK_TARGET,
    TEXT: TEXT_CHANNEL,
    ANNOUNCEMENT: TEXT_CHANNEL,
    THREAD: THREAD_TARGET,
    FORUM: FORUM_TARGET,
}
# What the invite asks for: every target's needs, plus reading messages for /keypoints.
INVITE = (*TEXT_CHANNEL, SEND_MESSAGES_IN_THREADS, READ_MESSAGE_HISTORY)

WHERE = {
    WEBHOOK: "through a webhook here",
    TEXT: "in this channel",
    ANNOUNCEMENT: "in this channel",
    THREAD: "in this thread",
    FORUM: "in this forum",
}


def needed(kind: str) -> tuple[Permission, ...]:
    """What the bot needs to post into a target of this kind."""
    return NEEDS[kind]


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


def pause_reason(error: str, kind: str = TEXT) -> str:
    """What ``/feed status`` shows for a subscription paused by a 403 in a target of ``kind``."""
    return (
        f"paused: the bot may not post {WHERE[kind]} ({error}); "
        f"allow it {labels(needed(kind))} there"
    )


def locked_thread_reason(error: str) -> str:
    """What ``/feed status`` shows when the target thread is archived and locked."""
    return (
        f"paused: the thread is archived and locked ({error}); unlock it, or allow the bot "
        f"{MANAGE_THREADS.label} in its channel"
    )
