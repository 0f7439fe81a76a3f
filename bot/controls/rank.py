"""Which articles a bounded digest keeps: covered by more of the channel's feeds, then freshest."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC

from bot.store.rows import DeliveryRow

log = logging.getLogger(__name__)


def ranked(rows: Sequence[DeliveryRow], coverage: Mapping[int, int]) -> list[DeliveryRow]:
    """``rows`` best first: more feeds carrying the article, then newer, then older row."""

    def key(row: DeliveryRow) -> tuple[int, float, int]:
        published = row.article.published if row.article is not None else row.created_at
        stamp = published.replace(tzinfo=UTC) if published.tzinfo is None else published
        return (-coverage.get(row.article_id, 1), -stamp.timestamp(), row.id)

    return sorted(rows, key=key)
