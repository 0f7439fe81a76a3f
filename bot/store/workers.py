"""Workers: one row per running process, kept alive by a heartbeat, so claims die with it.

A claim (of a due feed, of a pending post) names the worker that made it. It stays the
worker's while that worker's heartbeat is recent; once the heartbeat is older than
``stale_seconds``, or the worker's row is gone (a clean shutdown, or a restart of the same
instance deleting its previous incarnation's row), anyone may claim the row again. A process
that has not registered makes plain leases: ``claimed_at`` alone hides the row for a while.
A name whose row belongs to another live process is refused (:class:`NameTaken`): two live
processes under one name would take each other's claims.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, insert, or_, select, text, update
from sqlalchemy.orm import InstrumentedAttribute

from bot.errors import StartError
from bot.store.base import StoreBase
from bot.store.tables import Delivery, Feed, Worker

log = logging.getLogger(__name__)

# Rows of workers silent this long are deleted when another worker starts (their claims are
# free long before that; the rows only tell an operator who ran where).
FORGET_AFTER = timedelta(days=1)
# Registering one name, one process at a time ("BRWN"); per schema, so instances sharing a
# PostgreSQL server never wait for each other.
_PG_NAME_LOCK = text(
    "SELECT pg_advisory_xact_lock(1112692558, hashtext(:name || '@' || current_schema()))"
)


class NameTaken(StartError):
    """Another live process is registered under the name this one asked for."""

    def __init__(self, name: str, host: str, pid: int) -> None:
        super().__init__(
            f"another Briefing process (pid {pid} on host {host}) runs as instance {name!r} — "
            "give each process its own instance_name (BRIEFING_INSTANCE_NAME)"
        )


@dataclass
class WorkerIdentity:
    """This process's worker row and how long its claims survive a silent heartbeat."""

    id: int
    name: str
    stale_seconds: float
    # When the heartbeat last started succeeding (None while the database is unreachable).
    healthy_since: datetime | None


@dataclass(frozen=True, slots=True)
class WorkerRow:
    """A registered worker, as stored."""

    id: int
    name: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime


class WorkersMixin(StoreBase):
    """The workers part of :class:`~bot.store.Store`: identity, heartbeat, claim conditions."""

    _worker: WorkerIdentity | None = None

    @property
    def worker_id(self) -> int | None:
        """This process's worker id, once registered."""
        return self._worker.id if self._worker else None

    async def register_worker(self, name: str, *, stale_seconds: float = 15.0) -> int:
        """Register this process as worker ``name``; returns its id.

        A previous row of the same name is this instance's previous incarnation (it crashed, or
        was killed): its row is deleted, so its claims can be taken over at once. If that row
        still belongs to a live process, raises :class:`NameTaken` instead.
        """
        now = self._clock()
        values = {"name": name, "host": socket.gethostname(), "pid": os.getpid()}
        async with self._db.write() as conn:
            if self._db.is_postgres:
                # Two processes starting at once under one name: the second waits for the
                # first's row and is refused (SQLite's BEGIN IMMEDIATE already serialises this).
                await conn.execute(_PG_NAME_LOCK, {"name": name})
            rows = await conn.execute(
                select(Worker.host, Worker.pid, Worker.heartbeat_at).where(Worker.name == name)
            )
            for host, pid, beat in rows:
                if beat > now - _sec(stale_seconds) and _other_live_process(host, pid):
                    raise NameTaken(name, host, pid)
            gone = or_(Worker.name == name, Worker.heartbeat_at < now - FORGET_AFTER)
            previous = (await conn.execute(delete(Worker).where(gone))).rowcount
            stmt = insert(Worker).values(started_at=now, heartbeat_at=now, **values)
            worker_id = int((await conn.execute(stmt.returning(Worker.id))).scalar_one())
        self._worker = WorkerIdentity(worker_id, name, stale_seconds, healthy_since=now)
        log.info(
            "worker %d registered as %s (%d earlier row(s) replaced)", worker_id, name, previous
        )
        return worker_id

    async def heartbeat(self) -> None:
        """Tell other workers this one is alive; raises when the database cannot be reached."""
        me = self._worker
        if me is None:
            return
        now = self._clock()
        try:
            async with self._db.write() as conn:
                result = await conn.execute(
                    update(Worker).where(Worker.id == me.id).values(heartbeat_at=now)
                )
                if result.rowcount == 0:  # deleted by a process taking our name: come back
                    log.warning("worker %d: row was deleted; registering it again", me.id)
                    await conn.execute(insert(Worker).values(**_row(me, now)))
        except BaseException:
            me.healthy_since = None
            raise
        if me.healthy_since is None:
            me.healthy_since = now

    async def unregister_worker(self) -> None:
        """Hand back every claim this worker still holds, then delete its row."""
        me = self._worker
        if me is None:
            return
        now = self._clock()
        async with self._db.write() as conn:
            await conn.execute(
                update(Delivery)
                .where(Delivery.claimed_by == me.id)
                .values(claimed_by=None, claimed_at=None)
            )
            await conn.execute(
                update(Feed)
                .where(Feed.claimed_by == me.id, feed_outstanding())
                .values(claimed_by=None, claimed_at=None, next_poll_at=now)
            )
            await conn.execute(update(Feed).where(Feed.claimed_by == me.id).values(claimed_by=None))
            await conn.execute(delete(Worker).where(Worker.id == me.id))
        self._worker = None
        log.info("worker %d (%s) unregistered; its claims handed back", me.id, me.name)

    async def list_workers(self) -> list[WorkerRow]:
        """Every registered worker, oldest first."""
        async with self._db.read() as conn:
            result = await conn.execute(select(*Worker.__table__.columns).order_by(Worker.id))
            return [WorkerRow(**m) for m in result.mappings()]

    def _claimer_gone(
        self, claimed_by: InstrumentedAttribute[int | None], now: datetime
    ) -> ColumnElement[bool]:
        """The row was claimed by another worker that is dead (or gone) by now.

        A worker takes over claims of a silent (stale) worker only after its own heartbeat has
        been healthy for a whole ``stale_seconds``: after a database outage every heartbeat
        looks stale, and the workers that come back first must not take the claims (and posts
        in flight) of the others before those have had time to beat again.
        """
        me = self._worker
        stale = me.stale_seconds if me else 15.0
        alive = Worker.id == claimed_by
        if me is None or (me.healthy_since and me.healthy_since <= now - _sec(stale)):
            alive = and_(alive, Worker.heartbeat_at > now - _sec(stale))
        condition = and_(claimed_by.is_not(None), ~exists().where(alive))
        return and_(condition, claimed_by != me.id) if me else condition

    def _claim_owner(self) -> int | None:
        return self._worker.id if self._worker else None


def claim_expired(
    claimed_at: InstrumentedAttribute[datetime | None], now: datetime, lease_seconds: float
) -> ColumnElement[bool]:
    """No claim on the row, or its lease (the safety net) has run out."""
    return or_(claimed_at.is_(None), claimed_at <= now - _sec(lease_seconds))


def feed_outstanding() -> ColumnElement[bool]:
    """The feed's claim has no recorded poll after it (every poll records ``last_polled_at``)."""
    return and_(
        Feed.claimed_at.is_not(None),
        or_(Feed.last_polled_at.is_(None), Feed.last_polled_at < Feed.claimed_at),
    )


def _other_live_process(host: str, pid: int) -> bool:
    """Whether a worker with a fresh heartbeat is another process that still runs.

    On this host the pid tells (a process killed with SIGKILL leaves a fresh heartbeat behind);
    on another host only the heartbeat can, and it was fresh.
    """
    if host != socket.gethostname():
        return True
    if pid == os.getpid():
        return False  # this very process (or a container restarted with the same pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, run by another user
        return True
    return True


def _sec(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def _row(me: WorkerIdentity, now: datetime) -> dict[str, object]:
    return {
        "id": me.id,
        "name": me.name,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started_at": now,
        "heartbeat_at": now,
    }
