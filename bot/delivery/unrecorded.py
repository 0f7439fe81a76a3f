"""Outcomes Discord gave that the database could not take yet: kept in order, written later.

A post Discord accepted must be marked sent before anything could send it again; when the
database is unreachable at that moment the mark waits here (in memory, in order) and is
written as soon as the database is back, before the worker claims anything again. While any
outcome waits, no new post is sent: each would only add another.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Write = Callable[[], Awaitable[object]]


class Unrecorded:
    """The outcomes waiting for the database, oldest first."""

    def __init__(self) -> None:
        self._waiting: deque[tuple[str, Write]] = deque()
        self._clear = asyncio.Event()
        self._clear.set()

    def __len__(self) -> int:
        return len(self._waiting)

    async def record(self, what: str, write: Write) -> bool:
        """Run ``write`` now, or keep it for later; True when it was written now."""
        if self._waiting:  # keep the order: after those already waiting
            self._keep(what, write)
            return False
        try:
            await write()
        except Exception as exc:
            log.warning(
                "database unreachable: outcomes kept in memory, posting paused (%s: %s)",
                type(exc).__name__,
                exc,
            )
            self._keep(what, write)
            return False
        return True

    async def flush(self) -> bool:
        """Write the waiting outcomes, oldest first; True when none is left."""
        written = 0
        while self._waiting:
            what, write = self._waiting[0]
            try:
                await write()
            except Exception as exc:
                log.warning(
                    "database still unreachable: outcomes wait in memory (%s: %s)",
                    type(exc).__name__,
                    exc,
                )
                return False
            self._waiting.popleft()
            written += 1
            log.debug("recorded late: %s", what)
        if written:
            log.info("database back: %d outcome(s) kept in memory are recorded", written)
        self._clear.set()
        return True

    async def wait_clear(self) -> None:
        """Return once no outcome waits (at once, normally)."""
        await self._clear.wait()

    def describe(self) -> list[str]:
        """What is waiting (for the shutdown log)."""
        return [what for what, _write in self._waiting]

    def _keep(self, what: str, write: Write) -> None:
        self._waiting.append((what, write))
        self._clear.clear()
