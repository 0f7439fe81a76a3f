"""Why Briefing could not start, in one line that says what is wrong and what to do."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.errors import StartError
from bot.logs import redact
from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger(__name__)

DATABASE_ADVICE = (
    "check database_url [BRIEFING_DATABASE_URL] and that the database server is running and "
    "reachable from here"
)


SQLITE_ADVICE = (
    "check database_url [BRIEFING_DATABASE_URL]: the SQLite file's directory must exist or be "
    "creatable, and be writable"
)


async def open_runtime_or_explain(
    stack: AsyncExitStack, settings: Settings, *, role: str | None = None
) -> Runtime:
    """Open the runtime on ``stack``; a database or data directory failure is a StartError.

    ``role`` names a one-off command (``poll-once``) sharing the database with a running bot.
    """
    try:
        return await stack.enter_async_context(open_runtime(settings, role=role))
    except (SQLAlchemyError, OSError) as exc:
        raise StartError(open_problem(exc, settings)) from exc


async def open_store_or_explain(settings: Settings) -> Store:
    """Open the store alone (commands that only read or write rows), or raise a StartError."""
    try:
        if settings.database_url is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        return await Store.open(settings.effective_database_url)
    except (SQLAlchemyError, OSError) as exc:
        raise StartError(open_problem(exc, settings)) from exc


def open_problem(error: BaseException, settings: Settings) -> str:
    """One line for a failure to open the data directory or the database."""
    url = make_url(settings.effective_database_url)
    shown = url.render_as_string(hide_password=True)
    if isinstance(error, OSError) and error.filename is not None and settings.database_url is None:
        return (
            f"cannot use the data directory {settings.data_dir}: {error.strerror} "
            f"({error.filename}); set data_dir [BRIEFING_DATA_DIR] to a writable directory"
        )
    if url.get_backend_name() == "sqlite":
        where = f" ({error.filename})" if isinstance(error, OSError) and error.filename else ""
        return f"cannot open the database {shown}: {reason(error)}{where}; {SQLITE_ADVICE}"
    return f"cannot open the database {shown}: {reason(error)}; {DATABASE_ADVICE}"


def reason(error: BaseException) -> str:
    """The driver's own words for ``error``, without SQLAlchemy's boilerplate or secrets."""
    cause: BaseException = error
    if isinstance(error, DBAPIError) and error.orig is not None:
        cause = error.orig
    if isinstance(cause, OSError) and cause.strerror:
        text = cause.strerror
    else:
        text = str(cause).split("\n(Background on this error", 1)[0]
    first = text.strip().splitlines()[0] if text.strip() else type(cause).__name__
    return redact(first)
