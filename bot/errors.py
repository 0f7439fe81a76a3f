"""One family for the failures Briefing expects: each carries a message fit to show as is.

The cogs reply with :func:`user_message` (one tree-wide handler) and the command line prints it
on one line; anything else is a bug: logged once with its traceback, the user gets an apology.
"""

from __future__ import annotations

import logging
import secrets

log = logging.getLogger(__name__)


class BriefingError(Exception):
    """An expected failure; ``str(error)`` says what is wrong and what to do about it."""


class StartError(BriefingError):
    """Briefing cannot start (token refused, Discord or the database unreachable)."""


def user_message(error: BaseException) -> str | None:
    """The message to show for an expected failure; None for an unexpected one (a bug)."""
    # Imported here: these modules import this one for BriefingError.
    from bot.feeds.errors import FetchError  # noqa: PLC0415
    from bot.pipeline import FeedUnavailable  # noqa: PLC0415
    from bot.store.filters import FilterError  # noqa: PLC0415

    if isinstance(error, (BriefingError, FetchError, FeedUnavailable, FilterError)):
        return str(error)
    return None


def incident_id() -> str:
    """A short id that ties an apology shown to a user to the traceback in the log."""
    return secrets.token_hex(4)
