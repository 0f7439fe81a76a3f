"""Application commands: bulk overwrite (global and per guild) with Discord's validation."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from tests.fakediscord.errors import DiscordError
from tests.fakediscord.models import Json, Snowflakes

log = logging.getLogger(__name__)

_CHAT_NAME = re.compile(r"^[-_\w]{1,32}$")
_SUBCOMMANDS = (1, 2)


@dataclass(frozen=True)
class CommandSync:
    """One bulk overwrite the bot performed: where (None = global), what and when."""

    guild_id: int | None
    names: tuple[str, ...]
    at: float


def _err(path: list[str], message: str) -> dict[str, Any]:
    """A nested Invalid Form Body error."""
    node: dict[str, Any] = {
        "_errors": [{"code": "APPLICATION_COMMAND_INVALID", "message": message}]
    }
    for part in reversed(path):
        node = {part: node}
    return node


def _option_errors(options: list[Json], path: list[str]) -> list[dict[str, Any]]:
    """Validation errors of an option list (recursing into subcommands)."""
    errors = []
    if len(options) > 25:
        errors.append(_err([*path, "options"], "Must be 25 or fewer in length."))
    seen_optional = False
    for i, opt in enumerate(options):
        here = [*path, "options", str(i)]
        name = opt.get("name", "")
        if not _CHAT_NAME.match(name) or name != name.lower():
            errors.append(_err([*here, "name"], "Invalid option name."))
        if not 1 <= len(opt.get("description") or "") <= 100:
            errors.append(_err([*here, "description"], "Must be between 1 and 100 in length."))
        if len(opt.get("choices") or []) > 25:
            errors.append(_err([*here, "choices"], "Must be 25 or fewer in length."))
        if opt.get("type") in _SUBCOMMANDS:
            errors += _option_errors(opt.get("options") or [], here)
        elif opt.get("required"):
            if seen_optional:
                errors.append(_err([*here, "required"], "Required options must be placed first."))
        else:
            seen_optional = True
    return errors


def validate(payload: Any) -> None:
    """Raise 400 Invalid Form Body (50035) for command lists the real API refuses."""
    if not isinstance(payload, list):
        raise DiscordError(400, 50035, "Invalid Form Body", errors={"_errors": []})
    errors: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for i, cmd in enumerate(payload):
        kind, name = cmd.get("type", 1), cmd.get("name", "")
        if (name, kind) in seen:
            errors.append(_err([str(i), "name"], "Application command names must be unique"))
        seen.add((name, kind))
        if kind == 1:
            if not _CHAT_NAME.match(name) or name != name.lower():
                errors.append(_err([str(i), "name"], "Invalid command name."))
            if not 1 <= len(cmd.get("description") or "") <= 100:
                errors.append(_err([str(i), "description"], "Must be between 1 and 100 in length."))
            errors += _option_errors(cmd.get("options") or [], [str(i)])
        elif not 1 <= len(name) <= 32:
            errors.append(_err([str(i), "name"], "Must be between 1 and 32 in length."))
    if sum(1 for c in payload if c.get("type", 1) == 1) > 100:
        errors.append(_err(["_errors"], "Maximum number of application commands reached (100)"))
    if errors:
        merged: dict[str, Any] = {}
        for err in errors:
            merged |= err
        raise DiscordError(400, 50035, "Invalid Form Body", errors=merged)


class CommandStore:
    """What the bot synced: global commands and per-guild commands, with stable ids."""

    def __init__(self, ids: Snowflakes, application_id: int) -> None:
        self._ids = ids
        self._app = application_id
        self._scopes: dict[int | None, list[Json]] = {}
        self.syncs: list[CommandSync] = []

    def overwrite(self, guild_id: int | None, payload: Any) -> list[Json]:
        """Replace a scope's commands (PUT); ids are kept for unchanged name and type."""
        validate(payload)
        old = {(c["name"], c["type"]): c for c in self._scopes.get(guild_id, [])}
        stored = []
        for cmd in payload:
            kind = cmd.get("type", 1)
            previous = old.get((cmd["name"], kind))
            ident = previous["id"] if previous else str(self._ids.next())
            stored.append(self._complete(cmd, ident, guild_id))
        self._scopes[guild_id] = stored
        names = tuple(c["name"] for c in stored)
        self.syncs.append(CommandSync(guild_id, names, time.monotonic()))
        log.debug("synced %d commands to %s", len(stored), guild_id or "global")
        return stored

    def _complete(self, cmd: Json, ident: str, guild_id: int | None) -> Json:
        """The command object the API returns for a submitted one."""
        data: Json = {
            "name_localizations": None,
            "description_localizations": None,
            "default_member_permissions": None,
            "nsfw": False,
            "options": [],
            "description": "",
            **cmd,
        }
        data |= {
            "id": ident,
            "application_id": str(self._app),
            "version": str(self._ids.next()),
            "type": cmd.get("type", 1),
        }
        if data["default_member_permissions"] is not None:
            # Discord answers with the bit set as a string, whatever the bot sent.
            data["default_member_permissions"] = str(int(data["default_member_permissions"]))
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return data

    def list(self, guild_id: int | None = None) -> list[Json]:
        """The commands of one scope (None = global)."""
        return list(self._scopes.get(guild_id, []))

    def find(self, name: str, guild_id: int | None, kind: int = 1) -> Json | None:
        """The command a user in ``guild_id`` would invoke: guild commands shadow global ones."""
        for scope in (guild_id, None):
            for cmd in self._scopes.get(scope, []):
                if cmd["name"] == name and cmd["type"] == kind:
                    return cmd
        return None
