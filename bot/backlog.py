"""The first-poll backlog's digests: made when first asked for, or by a background pass.

A feed's first poll records the items it already holds without posting them (they predate the
subscription). Only the newest few are prepared in full; the rest are stored with their feed
text (searchable) and no digest, which is most of a first poll's worker CPU saved
(``benchmarks/first_poll_split.py``). Whatever shows an article's key points (a post, a digest
message, an edit, "More", ``/keypoints``, ``/feed add``) passes its rows through
:meth:`Backlog.complete`; :meth:`Backlog.drain` digests the rest a bounded batch at a time
after each poll cycle. Made digests are stored, so each is made once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace

from bot.pipeline import Pipeline
from bot.store import ArticleRow, DeliveryRow, Store

log = logging.getLogger(__name__)

DRAIN_BATCH = 100  # digests made per background pass: about 0.1 s of worker CPU
# An interaction is answered within 3 s: a digest that waits longer (the workers busy with a
# large first poll) is left out and the answer shows the feed's text.
INTERACTIVE_SECONDS = 2.0


class Backlog:
    """Makes and stores the digests a first poll left out."""

    def __init__(self, store: Store, pipeline: Pipeline) -> None:
        self._store = store
        self._pipeline = pipeline
        self._cursor = 0  # the background pass has looked at every article up to this id

    async def complete(
        self, rows: Sequence[ArticleRow], *, wait_at_most: float | None = None
    ) -> list[ArticleRow]:
        """``rows`` with every missing digest made (and stored); on failure, as they were.

        A row still without a digest renders from its feed text: showing an article never
        waits on a failing worker, nor longer than ``wait_at_most`` seconds when given.
        """
        wanted = {(r.id, r.text): r for r in rows if r.digest is None}
        if not wanted:
            return list(rows)
        pending = list(wanted.values())
        try:
            digests = await asyncio.wait_for(
                self._pipeline.digest([(r.title, r.text) for r in pending]), wait_at_most
            )
            await self._store.save_digests(
                [(r.id, r.text, d) for r, d in zip(pending, digests, strict=True)]
            )
        except Exception:
            log.exception("making %d postponed digests failed; showing feed text", len(pending))
            return list(rows)
        made = {
            (r.id, r.text): replace(r, digest=d, language=d.language)
            for r, d in zip(pending, digests, strict=True)
        }
        return [made.get((r.id, r.text), r) for r in rows]

    async def complete_deliveries(self, rows: Sequence[DeliveryRow]) -> list[DeliveryRow]:
        """Outbox rows with their articles' missing digests made (see :meth:`complete`)."""
        articles = [r.article for r in rows if r.article is not None]
        if all(a.digest is not None for a in articles):
            return list(rows)
        done = iter(await self.complete(articles))
        return [r if r.article is None else replace(r, article=next(done)) for r in rows]

    async def drain(self, limit: int = DRAIN_BATCH) -> int:
        """Digest up to ``limit`` articles still without one; returns how many were made."""
        found, after = await self._store.undigested_articles(after=self._cursor, limit=limit)
        if found:
            digests = await self._pipeline.digest([(a.title, a.text) for a in found])
            await self._store.save_digests(
                [(a.id, a.text, d) for a, d in zip(found, digests, strict=True)]
            )
            log.debug("made %d postponed digests (up to article %d)", len(found), after)
        self._cursor = after  # moved on only once stored: a failed pass is tried again
        return len(found)
