"""/help and the welcome message: what Briefing does, how to start, and every command.

The command list is read from the live command tree, so a command added, renamed or removed
shows up here without anyone editing a text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)

ABOUT = (
    "Briefing follows news feeds (RSS, Atom, JSON Feed) and posts each new article with its "
    "**key points**: sentences quoted word for word from the article, never rewritten. A "
    "channel gets articles as they arrive, or a scheduled digest."
)
HOW_TO_START = (
    "1. `/feed add url:<a feed or a news site>` in the channel that should get the news.\n"
    "2. Optional: `/digest schedule` for one digest a day instead of a post per article.\n"
    "3. Ask about what was posted: `/ask`, `/search`, `/keypoints`."
)
MANAGERS_NOTE = "🔒 needs the Manage Server permission unless the server grants it to others."
WELCOME = (
    "👋 Hello! I'm **Briefing**: I post news from the feeds you follow, each article with its "
    "key points quoted from the article.\n"
    "Someone with **Manage Server** can start with `/feed add url:<a feed or a news site>`; "
    "`/help` lists everything I can do."
)
MENU_KINDS = {
    discord.AppCommandType.message: "a message",
    discord.AppCommandType.user: "a member",
}


@dataclass(frozen=True, slots=True)
class CommandHelp:
    """One line of the command list."""

    usage: str  # "/feed add url [channel]" or "Apps › Key points"
    description: str
    managers_only: bool

    def line(self) -> str:
        """The Markdown line shown in /help."""
        lock = " 🔒" if self.managers_only else ""
        return f"`{self.usage}`{lock}: {self.description.rstrip('.')}"


def command_help(tree: app_commands.CommandTree[Any]) -> list[CommandHelp]:
    """Every command of ``tree`` (subcommands and message/user menus included), by name."""
    found: list[CommandHelp] = []
    for command in tree.get_commands(type=discord.AppCommandType.chat_input):
        if isinstance(command, app_commands.Group):
            leaves = (c for c in command.walk_commands() if isinstance(c, app_commands.Command))
            found.extend(_slash(c) for c in leaves)
        elif isinstance(command, app_commands.Command):
            found.append(_slash(command))
    found.sort(key=lambda c: c.usage)
    for kind, target in MENU_KINDS.items():
        for menu in tree.get_commands(type=kind):
            how = f"right-click (long-press) {target}, then Apps"
            found.append(CommandHelp(f"Apps › {menu.name}", how, _managers_only(menu)))
    return found


def help_embeds(commands: Sequence[CommandHelp]) -> list[discord.Embed]:
    """The /help answer: about, how to start, then the command list (within Discord's limits)."""
    intro = discord.Embed(title="Briefing", description=ABOUT)
    intro.add_field(name="How to start", value=HOW_TO_START, inline=False)
    lines = [c.line() for c in commands]
    listing = discord.Embed(title="Commands", description="\n".join(lines))
    if any(c.managers_only for c in commands):
        listing.set_footer(text=MANAGERS_NOTE)
    return [intro, listing]  # the reply fits them within Discord's limits


def welcome_text() -> str:
    """The short message posted once when the bot joins a server."""
    return WELCOME


def _slash(command: app_commands.Command[Any, ..., Any]) -> CommandHelp:
    options = " ".join(
        p.display_name if p.required else f"[{p.display_name}]" for p in command.parameters
    )
    usage = f"/{command.qualified_name}" + (f" {options}" if options else "")
    return CommandHelp(usage, command.description, _managers_only(command))


def _managers_only(command: Any) -> bool:
    """True when Discord hides the command from members without Manage Server by default."""
    root = getattr(command, "root_parent", None) or command
    perms = root.default_permissions
    return perms is not None and perms.value != 0
