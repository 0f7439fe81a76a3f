"""Who a webhook post appears to come from: a name and an avatar, as Discord accepts them.

Free of discord.py: the ``/feed`` commands check what users type with :func:`problem`, before
anything is stored, so a name Discord would refuse never reaches the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

NAME_LIMIT = 80  # Discord: a webhook username has 1 to 80 characters...
FORBIDDEN = ("discord", "clyde")  # ...and may not contain these words
AVATAR_LIMIT = 2048


@dataclass(frozen=True, slots=True)
class Persona:
    """A webhook post's name (1-80 characters) and avatar URL (None: the webhook's own)."""

    name: str
    avatar_url: str | None = None


def problem(name: str | None, avatar_url: str | None) -> str | None:
    """Why Discord would refuse this name or avatar URL (a sentence for the user), else None."""
    if name is None:
        return "`webhook_avatar` goes with `webhook_name`." if avatar_url else None
    clean = name.strip()
    if not 1 <= len(clean) <= NAME_LIMIT:
        return f"A webhook name has 1 to {NAME_LIMIT} characters."
    if any(word in clean.lower() for word in FORBIDDEN):
        return 'Discord refuses webhook names containing "discord" or "clyde": pick another.'
    if avatar_url is not None:
        parts = urlsplit(avatar_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return "`webhook_avatar` must be the http(s) address of an image."
        if len(avatar_url) > AVATAR_LIMIT:
            return f"`webhook_avatar` has at most {AVATAR_LIMIT} characters."
    return None
