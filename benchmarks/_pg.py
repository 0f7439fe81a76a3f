"""A throw-away PostgreSQL schema for a benchmark run (the CI's server, or BRIEFING_TEST_PG_URL)."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

Handle = tuple[AsyncEngine, str]


def admin_pg_url() -> str:
    """The server to benchmark on."""
    return os.environ.get("BRIEFING_TEST_PG_URL") or PG_URL


async def pg_schema() -> tuple[str, Handle] | None:
    """A new schema's URL and a handle to :func:`drop` it; None when PostgreSQL is unreachable."""
    admin = make_url(admin_pg_url())
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    name = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{name}"'))
    except Exception as exc:
        print(f"PostgreSQL unreachable ({exc.__class__.__name__}): skipped")
        await engine.dispose()
        return None
    return admin.update_query_dict({"search_path": name}).render_as_string(False), (engine, name)


async def drop(handle: Handle) -> None:
    """Drop the schema made by :func:`pg_schema`."""
    engine, name = handle
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    await engine.dispose()
