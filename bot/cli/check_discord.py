"""``briefing check``'s online step: ask Discord who the token belongs to (GET /users/@me)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import aiohttp

from bot.logs import redact

if TYPE_CHECKING:
    from bot.cli.check_cmd import Report
    from bot.settings import Settings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
RESET_ADVICE = (
    "copy a new one from the developer portal (your application > Bot > Reset Token) into "
    "BRIEFING_DISCORD_TOKEN"
)


async def check_token_online(settings: Settings, token: str, report: Report) -> None:
    """Record whether Discord accepts ``token``, and whose it is, in ``report``."""
    url = f"{settings.discord_api_base}/users/@me"
    try:
        status, body = await _get_me(url, token)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        reason = _reason(exc)
        report.problem(
            "discord_api_base",
            f"cannot reach Discord at {settings.discord_api_base} ({reason}): check the network "
            "connection and DNS",
        )
        return
    key = "discord_token" if settings.discord_token is not None else "discord_token_file"
    if status == 401:
        report.problem(key, f"Discord refused the token (401 Unauthorized): {RESET_ADVICE}")
    elif status != 200 or not isinstance(body, dict):
        report.problem(key, f"Discord answered {status} to GET /users/@me: try again later")
    elif not body.get("bot"):
        report.problem(key, "this token belongs to a user account, not a bot: " + RESET_ADVICE)
    else:
        name = redact(str(body.get("username", "?")))
        report.passed.append(f"Discord accepts the token: bot {name} (id {body.get('id')})")


async def _get_me(url: str, token: str) -> tuple[int, Any]:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    headers = {"Authorization": f"Bot {token}"}
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(url, headers=headers) as response,
    ):
        body = await response.json(content_type=None) if response.status == 200 else None
        return response.status, body


def _reason(error: BaseException) -> str:
    if isinstance(error, aiohttp.ClientConnectorError):
        return error.os_error.strerror or str(error.os_error)
    if isinstance(error, (TimeoutError, asyncio.TimeoutError)):
        return f"no answer within {TIMEOUT_SECONDS:.0f} s"
    return redact(str(error)) or type(error).__name__
