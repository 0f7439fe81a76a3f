"""The store: the only place where SQL lives (SQLAlchemy 2 async, alembic migrations).

Open it with ``await Store.open(url)`` (SQLite file or PostgreSQL via asyncpg); migrations are
applied on open. Methods take and return the frozen rows defined in ``bot.store.rows``.
"""

from bot.fingerprint import fingerprint
from bot.store.filters import FilterError, Filters
from bot.store.identity import key_hash
from bot.store.rows import (
    AlreadySubscribed,
    ArticleRow,
    ChannelControlsRow,
    DeliveryRow,
    FeedRow,
    FeedStatus,
    ScheduleRow,
    SearchHit,
    StoreError,
    StoreResult,
    SubscriptionRow,
    WebhookRow,
)
from bot.store.search import query_terms
from bot.store.store import Store

__all__ = [
    "AlreadySubscribed",
    "ArticleRow",
    "ChannelControlsRow",
    "DeliveryRow",
    "FeedRow",
    "FeedStatus",
    "FilterError",
    "Filters",
    "ScheduleRow",
    "SearchHit",
    "Store",
    "StoreError",
    "StoreResult",
    "SubscriptionRow",
    "WebhookRow",
    "fingerprint",
    "key_hash",
    "query_terms",
]
