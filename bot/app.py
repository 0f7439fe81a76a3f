"""BriefingBot: the discord.py side of Briefing, built by the composition root.

The bot receives everything it uses (the runtime: settings, store, reader) and loads the cogs by
name; it creates nothing at import time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

import aiohttp
import discord
import yarl
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from bot.delivery import DeliveryConfig, Pacer
from bot.delivery.pacing import ChannelHistory, SharedBudget
from bot.render.failures import answer_error, answer_failure
from bot.runtime import Runtime
from bot.store import Store

log = logging.getLogger(__name__)

DEFAULT_EXTENSIONS = (
    "cogs.polling",
    "cogs.digest",
    "cogs.channel",
    "cogs.feeds",
    "cogs.posting",
    "cogs.followups",
    "cogs.operations",
    "cogs.help",
)
# The extensions each role needs (operations, the health server and once-only jobs, always).
ROLE_EXTENSIONS = {
    "gateway": ("cogs.digest", "cogs.channel", "cogs.feeds", "cogs.posting", "cogs.followups"),
    "poller": ("cogs.polling",),
    "sender": ("cogs.posting",),
    "scheduler": (),
}


def extensions_for(roles: Sequence[str]) -> tuple[str, ...]:
    """The extensions a process with ``roles`` loads, in the default order."""
    wanted = {"cogs.operations"}.union(*(ROLE_EXTENSIONS[role] for role in roles))
    return tuple(name for name in DEFAULT_EXTENSIONS if name in wanted)


COMMANDS_SYNCED = "commands-synced"  # cluster record: the fingerprint of the last global sync


def use_discord_endpoints(api_base: str, gateway_url: str | None) -> None:
    """Point discord.py at a Discord-compatible server (Discord itself by default).

    discord.py keeps both as class attributes, so this is process-wide and must run before login.
    """
    discord.http.Route.BASE = api_base
    if gateway_url:
        # A plain client and any reconnection after an invalid session use DEFAULT_GATEWAY.
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


TOKEN_ADVICE = (
    "copy a new one from the Discord developer portal (your application > Bot > Reset Token) "
    "into BRIEFING_DISCORD_TOKEN"
)


def start_problem(error: BaseException, api_base: str) -> str | None:
    """Why logging in to Discord failed and what to do, in one line; None if not a login error."""
    if isinstance(error, discord.LoginFailure):
        return "Discord refused the bot token (401 Unauthorized): it is wrong or was reset; " + (
            TOKEN_ADVICE
        )
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return "Discord refused the gateway connection: a privileged intent is required"
    if isinstance(error, aiohttp.ClientConnectorError):
        reason = error.os_error.strerror or str(error.os_error)
        return (
            f"cannot reach Discord at {api_base} ({reason}): check the network connection and "
            "DNS, or discord_api_base [BRIEFING_DISCORD_API_BASE] if you changed it"
        )
    if isinstance(error, discord.HTTPException):
        return (
            f"Discord answered {error.status} at login ({error.text or 'no details'}): "
            "try again in a few minutes; https://discordstatus.com shows outages"
        )
    if isinstance(error, discord.GatewayNotFound):
        return "Discord's gateway could not be found: try again in a few minutes"
    return None


GLOBAL_BUDGET = "discord-global"
# Tokens the shared bucket stores while idle: one, so even a burst after a quiet spell is spaced.
BURST = 1.0


def shared_budget(runtime: Runtime) -> SharedBudget | None:
    """On PostgreSQL, Discord's global limit as one budget for every process of the cluster."""
    store = runtime.store
    if store.dialect != "postgresql":
        return None  # one process: its own sliding window
    rate = float(runtime.settings.delivery_rate_per_second)

    async def reserve(want: int) -> float:
        return await store.reserve_tokens(GLOBAL_BUDGET, want, rate=rate, capacity=BURST)

    return SharedBudget(reserve, rate=rate)


def channel_history(runtime: Runtime) -> ChannelHistory | None:
    """On PostgreSQL, what other processes posted in a channel lately (see :class:`Pacer`)."""
    if runtime.store.dialect != "postgresql":
        return None  # one process: its own windows know everything
    return runtime.store.recent_posts


def bot_intents() -> discord.Intents:
    """Only what Briefing needs: guild and channel events. No privileged intent, no content."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class BriefingTree(app_commands.CommandTree[Any]):
    """The slash command tree: one error handler for every command of every cog."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """Answer the user privately; unexpected errors are logged once with an incident id."""
        await answer_error(interaction, error)


class BriefingBot(commands.AutoShardedBot):
    """The bot: slash commands, instant posts and scheduled digests over the runtime's core."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        extensions: Sequence[str] | None = None,
        **options: Any,
    ) -> None:
        settings = runtime.settings
        if extensions is None:
            extensions = extensions_for(settings.roles)
        if settings.shard_ids is not None:
            options["shard_ids"] = settings.shard_ids
        # Briefing never joins voice: no start-up warnings about voice libraries.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        # Every poster (instant posts, digests) shares one budget under Discord's rate limits;
        # the global one is charged by the HTTP client itself, for every request it sends.
        pacer = Pacer(
            DeliveryConfig.from_settings(settings),
            shared=shared_budget(runtime),
            history=channel_history(runtime),
        )
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            help_command=None,
            shard_count=settings.shard_count,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=BriefingTree,
            http_trace=pacer.http_trace(),
            **options,
        )
        self.runtime = runtime
        self.pacer = pacer
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._extensions = tuple(extensions)

    async def setup_hook(self) -> None:
        """Load the cogs, start the scheduler and sync the slash commands."""
        self.scheduler.start()
        for name in self._extensions:
            await self.load_extension(name)
        if not self.has_role("gateway"):
            return  # its tree has no commands to sync: it would delete them
        await sync_commands(
            self.tree, dev_guild_id=self.runtime.settings.dev_guild_id, store=self.runtime.store
        )

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """A listener failed: answer the user it served as a command would, log it once."""
        error = sys.exc_info()[1]
        if error is None:  # called by hand, outside an except block
            log.error("%s failed", event_method)
            return
        interaction = next((a for a in args if isinstance(a, discord.Interaction)), None)
        if interaction is None:
            log.error("%s failed", event_method, exc_info=error)
            return
        await answer_failure(interaction, error, what=event_method)

    def has_role(self, role: str) -> bool:
        """True when this process has ``role`` (see ``Settings.roles``)."""
        return role in self.runtime.settings.roles

    async def close(self) -> None:
        """Stop the scheduled jobs, then disconnect."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await super().close()


async def sync_commands(
    tree: discord.app_commands.CommandTree[Any], *, dev_guild_id: int | None, store: Store
) -> None:
    """Sync the slash commands: to the dev guild when set, else globally when they changed.

    Global syncs are rate limited and propagate slowly, so a command set already synced (by any
    process of the cluster: the fingerprint of the last global sync is stored in the database)
    is not synced again, and processes starting together sync it once.
    """
    if dev_guild_id is not None:
        guild = discord.Object(dev_guild_id)
        tree.copy_global_to(guild=guild)
        synced = await tree.sync(guild=guild)
        log.info("synced %d commands to guild %s", len(synced), dev_guild_id)
        return
    definitions = sorted(
        (command.to_dict(tree) for command in tree.get_commands()), key=lambda c: str(c["name"])
    )
    fingerprint = hashlib.sha256(json.dumps(definitions, sort_keys=True).encode()).hexdigest()
    async with store.record_once(COMMANDS_SYNCED, fingerprint) as due:
        if not due:
            log.info("slash commands unchanged since the last global sync")
            return
        synced = await tree.sync()
        log.info("synced %d commands globally", len(synced))
