"""The store: one object, opened at start-up, through which all database work goes."""

from __future__ import annotations

import asyncio
import logging

from bot.store.answers import AnswersMixin
from bot.store.articles import ArticlesMixin
from bot.store.base import Clock, utcnow
from bot.store.bulk import BulkMixin
from bot.store.cluster import ClusterMixin
from bot.store.controls import ControlsMixin
from bot.store.deliveries import DeliveriesMixin
from bot.store.digests import DigestsMixin
from bot.store.edits import EditsMixin
from bot.store.engine import Database, create_engine
from bot.store.explain import ExplainMixin
from bot.store.feeds import FeedsMixin
from bot.store.leader import LeaderLock
from bot.store.migrate import migrate
from bot.store.rate import RateMixin
from bot.store.retention import RetentionMixin
from bot.store.schedules import SchedulesMixin
from bot.store.search import SearchMixin
from bot.store.subscriptions import SubscriptionsMixin
from bot.store.webhooks import WebhooksMixin
from bot.store.welcomes import WelcomesMixin

log = logging.getLogger(__name__)


CLOSE_TIMEOUT_SECONDS = 15.0


class Store(
    FeedsMixin,
    SubscriptionsMixin,
    ArticlesMixin,
    SearchMixin,
    AnswersMixin,
    DeliveriesMixin,
    ControlsMixin,
    EditsMixin,
    SchedulesMixin,
    RetentionMixin,
    BulkMixin,
    ClusterMixin,
    RateMixin,
    WelcomesMixin,
    WebhooksMixin,
    ExplainMixin,
    DigestsMixin,
):
    """Feeds, subscriptions, articles, the outbox and schedules, on SQLite or PostgreSQL.

    Every method is one transaction and takes or returns frozen rows (``bot.store.rows``).
    """

    def __init__(self, db: Database, *, clock: Clock = utcnow) -> None:
        self._db = db
        self._clock = clock

    @classmethod
    async def open(cls, url: str, *, clock: Clock = utcnow, migrate_to: str = "head") -> Store:
        """Connect to ``url`` (a SQLAlchemy async URL) and apply the migrations."""
        db = Database(create_engine(url))
        try:
            await migrate(db, migrate_to)
        except BaseException:
            await db.dispose()
            raise
        log.info(
            "store open: %s (%s)", db.engine.url.render_as_string(hide_password=True), db.dialect
        )
        return cls(db, clock=clock)

    def leader_lock(self) -> LeaderLock:
        """A handle on the cluster's leader lock (see :mod:`bot.store.leader`)."""
        return LeaderLock(self._db)

    @property
    def dialect(self) -> str:
        """The database in use: "sqlite" or "postgresql"."""
        return self._db.dialect

    async def close(self) -> None:
        """Close every connection; the store cannot be used afterwards.

        Bounded: a shutdown must not hang on a connection that a cancelled task left behind.
        """
        try:
            await asyncio.wait_for(self._db.dispose(), CLOSE_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning(
                "closing the database took over %.0f s; left to the OS", CLOSE_TIMEOUT_SECONDS
            )
