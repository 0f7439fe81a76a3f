"""The leader lock and the cluster records on real databases (stores stand for processes)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text

from bot.leadership import Leadership
from bot.store import Store
from bot.store.engine import create_engine


async def test_sqlite_single_process_always_leads(tmp_path: object) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/b.db")
    try:
        lock = store.leader_lock()
        assert await lock.try_take()
        assert await lock.check()
    finally:
        await store.close()


async def test_one_leader_among_stores_and_the_next_takes_over_when_its_session_ends(
    pg_url: str,
) -> None:
    stores = [await Store.open(pg_url) for _ in range(3)]
    try:
        locks = [s.leader_lock() for s in stores]
        taken = [await lock.try_take() for lock in locks]
        assert taken == [True, False, False]
        assert [await lock.try_take() for lock in locks] == [True, False, False]  # kept
        # The leader's session dies (as when its process is killed): PostgreSQL frees the lock.
        admin = create_engine(pg_url)
        async with admin.begin() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
                    " AND objid = hashtext(current_schema())::oid"
                )
            )
        await admin.dispose()
        assert not await locks[0].check()  # the old leader notices and stops leading
        assert [await lock.try_take() for lock in locks[1:]] == [True, False]
    finally:
        for lock in locks:
            await lock.release()
        for s in stores:
            await s.close()


async def test_schemas_of_one_database_have_a_leader_each(pg_url: str, pg_admin_url: str) -> None:
    from tests.fixtures.db import _pg_schema  # noqa: PLC0415 - a second schema on demand

    async for other_url in _pg_schema(pg_admin_url):
        a, b = await Store.open(pg_url), await Store.open(other_url)
        locks = [a.leader_lock(), b.leader_lock()]
        try:
            assert [await lock.try_take() for lock in locks] == [True, True]
        finally:
            for lock in locks:
                await lock.release()
            await a.close()
            await b.close()


async def test_jobs_run_on_the_leader_only_and_move_when_it_closes(pg_url: str) -> None:
    stores = [await Store.open(pg_url) for _ in range(2)]
    runs: list[int] = []
    leaders = []
    try:
        for n, store in enumerate(stores):
            leadership = Leadership(store.leader_lock(), check_seconds=0.1)

            async def work(n: int = n) -> None:
                runs.append(n)

            leadership.add_job("job", 3600, work)
            leaders.append(leadership)
        assert [await lead.check() for lead in leaders] == [True, False]
        await asyncio.sleep(0.1)
        assert runs == [0]
        await leaders[0].close()
        assert [await lead.check() for lead in leaders] == [False, True]
        await asyncio.sleep(0.1)
        assert runs == [0, 1]  # the new leader runs its jobs at once
    finally:
        for lead in leaders:
            await lead.close()
        for store in stores:
            await store.close()


async def test_a_periodic_job_is_claimed_once_per_period(database_url: str) -> None:
    a, b = await Store.open(database_url), await Store.open(database_url)
    try:
        day = timedelta(days=1)
        assert await a.claim_periodic("retention", day)
        assert not await b.claim_periodic("retention", day)
        assert not await a.claim_periodic("retention", day)
        assert await b.claim_periodic("retention", timedelta(0))
    finally:
        await a.close()
        await b.close()


async def test_a_record_is_decided_once_when_processes_ask_together(database_url: str) -> None:
    stores = [await Store.open(database_url) for _ in range(3)]
    done: list[int] = []
    try:

        async def sync(n: int, store: Store) -> None:
            async with store.record_once("commands-synced", "abc") as due:
                if due:
                    await asyncio.sleep(0.2)  # the sync itself (an HTTP call)
                    done.append(n)

        if stores[0].dialect == "postgresql":
            await asyncio.gather(*(sync(n, s) for n, s in enumerate(stores)))
        else:  # one process: asked in turn
            for n, s in enumerate(stores):
                await sync(n, s)
        assert len(done) == 1
        assert await stores[2].cluster_value("commands-synced") == "abc"
        async with stores[0].record_once("commands-synced", "def") as due:
            assert due
    finally:
        for s in stores:
            await s.close()
