"""Migrations: applied on an empty database at open, idempotent, and in step with tables.py."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.store import Store
from bot.store.engine import create_engine
from bot.store.tables import Base
from tests.ops.readme import README
from tests.store.factory import article

TABLES = {
    "feeds",
    "subscriptions",
    "articles",
    "entries",
    "schedules",
    "deliveries",
    "answer_docs",
    "answer_postings",
    "answer_terms",
    "cluster_state",
    "rate_budget",
    "welcomes",
}


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diffs = compare_metadata(context, Base.metadata)
    # The full-text objects live only in the migration (FTS5 shadow tables, tsvector column).
    return [d for d in diffs if "fts" not in str(d) and "search_vector" not in str(d)]


async def test_open_creates_every_table_and_reopen_is_a_no_op(database_url: str) -> None:
    store = await Store.open(database_url)
    feed = await store.add_feed("https://a.example/feed")
    await store.store_articles(feed.id, [article("a1")], deliver=False)
    await store.close()

    reopened = await Store.open(database_url)  # at head already: nothing to do, nothing lost
    try:
        assert await reopened.get_feed(feed.id) == feed
        assert await reopened.known_entry_keys(feed.id, ["a1"]) == {"a1"}
        assert [hit.title for hit in await reopened.search_articles("story")] == ["Story a1"]
    finally:
        await reopened.close()

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            names = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            diff = await conn.run_sync(_schema_diff)
    finally:
        await engine.dispose()
    assert names >= TABLES | {"alembic_version"}
    assert version == "0019"
    assert diff == []


async def test_without_unaccent_postgresql_search_keeps_accents_until_the_readme_steps(
    pg_admin_url: str, pg_has_unaccent: bool, caplog: pytest.LogCaptureFixture
) -> None:
    if not pg_has_unaccent:
        pytest.skip("PostgreSQL here has no unaccent extension (contrib is not installed)")
    # A database where Briefing's user may create only in its own schema: it cannot install
    # the unaccent extension, as on a managed server that keeps extensions to its owner.
    admin = make_url(pg_admin_url)
    suffix = uuid.uuid4().hex[:12]
    role, database = f"briefing_user_{suffix}", f"briefing_db_{suffix}"
    server = create_async_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    owner = create_async_engine(
        admin.set(database=database), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with server.connect() as conn:
            await conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            await conn.execute(text(f'CREATE DATABASE "{database}"'))
        async with owner.connect() as conn:
            await conn.execute(text(f'CREATE SCHEMA app AUTHORIZATION "{role}"'))
    except DBAPIError as exc:
        await server.dispose()
        pytest.skip(f"PostgreSQL at {admin.render_as_string()} refused a role or database: {exc}")
    url = admin.set(database=database, username=role).update_query_dict({"search_path": "app"})
    try:
        with caplog.at_level(logging.WARNING):
            store = await Store.open(url.render_as_string(hide_password=False))
        assert "unaccent extension could not be installed" in caplog.text
        try:
            feed = await store.add_feed("https://a.example/feed")
            story = article("lodz", title="Łódź orchestra returns", text="Guðrún conducts.")
            await store.store_articles(feed.id, [story], deliver=False)
            assert [h.title for h in await store.search_articles("Łódź")] == [story.entry.title]
            assert await store.search_articles("Lodz") == []  # accents matched exactly

            # The README's steps: the owner installs unaccent, Briefing's user maps it.
            async with owner.connect() as conn:
                await conn.execute(text("CREATE EXTENSION unaccent SCHEMA public"))
            briefing = create_engine(url.render_as_string(hide_password=False))
            try:
                async with briefing.begin() as conn:
                    for statement in README_UNACCENT_STEPS:
                        # Briefing's search_path here is its schema alone: name unaccent's.
                        sql = statement.replace(" unaccent,", " public.unaccent,")
                        await conn.execute(text(sql))
            finally:
                await briefing.dispose()
            assert [h.title for h in await store.search_articles("Lodz")] == [story.entry.title]
            assert [h.title for h in await store.search_articles("gudrun")] == [story.entry.title]
        finally:
            await store.close()
    finally:
        await owner.dispose()
        async with server.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            await conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        await server.dispose()


def _readme_unaccent_steps() -> list[str]:
    """The SQL statements Briefing's user runs, from the README's PostgreSQL section."""
    block = README.read_text("utf-8").split("<!-- unaccent steps -->", 2)[1]
    lines = [line.split("--", 1)[0].strip() for line in block.splitlines()]
    sql = " ".join(line for line in lines if line and not line.startswith("```"))
    return [s.strip() for s in sql.split(";") if s.strip() and "CREATE EXTENSION" not in s]


README_UNACCENT_STEPS = _readme_unaccent_steps()
