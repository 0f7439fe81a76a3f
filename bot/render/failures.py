"""Every slash command failure as one private reply: the tree-wide error handler's content.

Expected failures (:mod:`bot.errors`, permission and check failures) answer with their message.
Anything else is a bug: the user gets a short apology with an incident id, and the log gets that
id with the traceback, exactly once.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.errors import incident_id, user_message
from bot.render.reply import reply

log = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, something went wrong on my side (incident `{incident}`). Try again in a moment; "
    "if it keeps happening, give the bot's operator this incident id."
)
NO_SERVER = "This command works in a server only."
PERMISSION_NAMES = {"manage_guild": "Manage Server", "manage_channels": "Manage Channels"}


async def answer_error(
    interaction: discord.Interaction[Any], error: app_commands.AppCommandError
) -> None:
    """The slash command tree's handler: every command's failure, answered privately."""
    cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    name = interaction.command.qualified_name if interaction.command else "?"
    await answer_failure(interaction, cause, what=f"/{name}")


async def answer_failure(
    interaction: discord.Interaction[Any], error: BaseException, *, what: str
) -> None:
    """Tell the user, privately, what went wrong; log unexpected errors with their traceback.

    The one place where failures become replies: slash commands, buttons and other views, and
    the listeners that answer an interaction all end here. ``what`` names it in the log.
    """
    text = expected_reply(error)
    if text is None:
        incident = incident_id()
        log.error("%s failed (incident %s)", what, incident, exc_info=error)
        text = APOLOGY.format(incident=incident)
    try:
        await reply(interaction, text, ephemeral=True)
    except discord.HTTPException as exc:  # the interaction expired or Discord is down
        log.warning("could not answer a failed %s (%s): %s", what, exc, text)


class BriefingView(discord.ui.View):
    """A view whose buttons fail as commands do: a private apology, one logged traceback."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        """Answer through :func:`answer_failure`, naming the button in the log."""
        label = getattr(item, "label", None) or getattr(item, "custom_id", None) or "?"
        await answer_failure(interaction, error, what=f"the {label!r} button")


def expected_reply(error: BaseException) -> str | None:
    """The reply for a failure the user can act on; None for a bug."""
    message = user_message(error)
    if message is not None:
        return message
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the **{_names(error.missing_permissions)}** permission for this."
    if isinstance(error, app_commands.BotMissingPermissions):
        return f"I lack the {_names(error.missing_permissions)} permission here."
    if isinstance(error, app_commands.NoPrivateMessage):
        return NO_SERVER
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.TransformerError):
        return f"{error.value!r} is not valid here: pick a value from the suggestions."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


def _names(permissions: list[str]) -> str:
    return ", ".join(
        PERMISSION_NAMES.get(name, name.replace("_", " ").title()) for name in permissions
    )
