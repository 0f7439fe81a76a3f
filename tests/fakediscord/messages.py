"""Message bodies as Discord checks them: form limits, allowed mentions, edits."""

from __future__ import annotations

import logging
import re
from typing import Any

from tests.fakediscord.constants import MessageFlag, Perm
from tests.fakediscord.errors import DiscordError
from tests.fakediscord.models import Guild, Json, now
from tests.fakediscord.posted import Message

log = logging.getLogger(__name__)

_USER = re.compile(r"<@!?(\d+)>")
MAX_ALLOWED_IDS = 100  # users or roles listed in allowed_mentions
_ROLE = re.compile(r"<@&(\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)\b")
# Documented embed limits: field -> maximum length.
_EMBED_LIMITS = {"title": 256, "description": 4096}
_EDITABLE = ("content", "embeds", "components", "allowed_mentions")


def _error(path: str, code: str, message: str) -> dict[str, Any]:
    """One entry of an Invalid Form Body error tree."""
    node: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(path.split(".")):
        node = {part: node}
    return node


def _embed_length(embed: Json) -> int:
    """Characters that count toward the 6,000 limit of one embed."""
    fields = embed.get("fields") or []
    parts = [
        embed.get("title") or "",
        embed.get("description") or "",
        (embed.get("footer") or {}).get("text") or "",
        (embed.get("author") or {}).get("name") or "",
    ]
    parts += [f.get("name", "") + f.get("value", "") for f in fields]
    return sum(len(p) for p in parts)


def _embed_errors(embeds: list[Json]) -> list[dict[str, Any]]:
    """Limit violations of a message's embeds."""
    errors = []
    if len(embeds) > 10:
        errors.append(_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
    for i, embed in enumerate(embeds):
        for key, limit in _EMBED_LIMITS.items():
            if len(embed.get(key) or "") > limit:
                msg = f"Must be {limit} or fewer in length."
                errors.append(_error(f"embeds.{i}.{key}", "BASE_TYPE_MAX_LENGTH", msg))
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors.append(_error(f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "Max 25 fields."))
        for j, fld in enumerate(fields):
            if len(fld.get("name", "")) > 256 or len(fld.get("value", "")) > 1024:
                msg = "Field name <= 256, value <= 1024."
                errors.append(_error(f"embeds.{i}.fields.{j}", "BASE_TYPE_MAX_LENGTH", msg))
    if sum(_embed_length(e) for e in embeds) > 6000:
        msg = "Embed size exceeds maximum size of 6000"
        errors.append(_error("embeds", "MAX_EMBED_SIZE_EXCEEDED", msg))
    return errors


def _component_errors(rows: list[Json]) -> list[dict[str, Any]]:
    """Limit violations of a message's components (rows of buttons and selects)."""
    errors = []
    if len(rows) > 5:
        errors.append(_error("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
    for i, row in enumerate(rows):
        for j, item in enumerate(row.get("components", [])):
            if len(item.get("custom_id") or "") > 100:
                msg = "Must be 100 or fewer in length."
                errors.append(_error(f"components.{i}.components.{j}.custom_id", "X", msg))
    return errors


def validate(body: Json, *, creating: bool) -> None:
    """Raise Discord's 400 errors for a message body that the real API refuses."""
    errors: list[dict[str, Any]] = []
    content = body.get("content") or ""
    if len(content) > 2000:
        errors.append(_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."))
    errors += _embed_errors(body.get("embeds") or [])
    errors += _component_errors(body.get("components") or [])
    nonce = body.get("nonce")
    if isinstance(nonce, str) and len(nonce) > 25:
        errors.append(_error("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    allowed = body.get("allowed_mentions") or {}
    for kind in ("users", "roles"):
        if kind in (allowed.get("parse") or []) and allowed.get(kind):
            msg = f"parse:[{kind}] and {kind}: [ids...] are mutually exclusive."
            errors.append(_error(f"allowed_mentions.{kind}", "MUTUALLY_EXCLUSIVE", msg))
        if len(allowed.get(kind) or []) > MAX_ALLOWED_IDS:
            msg = f"Must be {MAX_ALLOWED_IDS} or fewer in length."
            errors.append(_error(f"allowed_mentions.{kind}", "BASE_TYPE_MAX_LENGTH", msg))
    if errors:
        merged: dict[str, Any] = {}
        for err in errors:
            merged |= err
        raise DiscordError(400, 50035, "Invalid Form Body", errors=merged)
    if creating and not (content or body.get("embeds") or body.get("components")):
        raise DiscordError(400, 50006, "Cannot send an empty message")


def _allowed(allowed: Json | None, kind: str, ident: int | None = None) -> bool:
    """Whether allowed_mentions lets a mention of ``kind`` (and id) ping."""
    if allowed is None:
        return True
    if kind in (allowed.get("parse") or []):
        return True
    return ident is not None and str(ident) in {str(i) for i in allowed.get(kind) or []}


def apply_mentions(message: Message, guild: Guild | None, perms: int) -> None:
    """Fill who the content pings, honouring allowed_mentions and the author's permissions."""
    allowed, content = message.allowed_mentions, message.content
    can_everyone = bool(perms & Perm.MENTION_EVERYONE)
    message.mention_everyone = bool(
        _EVERYONE.search(content) and can_everyone and _allowed(allowed, "everyone")
    )
    message.mentions = []
    message.mention_roles = []
    if guild is None:
        return
    for raw in dict.fromkeys(_USER.findall(content)):
        member = guild.members.get(int(raw))
        if member is not None and _allowed(allowed, "users", int(raw)):
            message.mentions.append(member.user)
    for raw in dict.fromkeys(_ROLE.findall(content)):
        role = guild.roles.get(int(raw))
        pingable = role is not None and (role.mentionable or can_everyone)
        if pingable and _allowed(allowed, "roles", int(raw)):
            message.mention_roles.append(int(raw))


def fill(message: Message, body: Json) -> None:
    """Copy a create body's fields onto a new message."""
    message.request = body
    message.content = body.get("content") or ""
    message.embeds = list(body.get("embeds") or [])
    message.components = list(body.get("components") or [])
    keep = MessageFlag.SUPPRESS_EMBEDS | MessageFlag.EPHEMERAL
    message.flags = int(body.get("flags") or 0) & keep
    message.nonce = body.get("nonce")
    message.allowed_mentions = body.get("allowed_mentions")
    message.tts = bool(body.get("tts"))
    message.message_reference = body.get("message_reference")


def edit(message: Message, body: Json) -> None:
    """Apply a PATCH body: only the keys present change; a loading placeholder stops loading."""
    message.edits.append(body)
    for key in _EDITABLE:
        if key in body:
            value = body[key]
            if key == "content":
                value = value or ""
            elif key in ("embeds", "components"):
                value = list(value or [])
            setattr(message, key, value)
    if "flags" in body and body["flags"] is not None:
        suppress = int(body["flags"]) & MessageFlag.SUPPRESS_EMBEDS
        message.flags = (message.flags & ~MessageFlag.SUPPRESS_EMBEDS) | suppress
    message.flags &= ~MessageFlag.LOADING
    message.edited_at = now()
