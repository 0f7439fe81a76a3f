"""Apply the alembic migrations shipped in the package, at start-up."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.store.engine import Database

log = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"
# Serialises start-ups of several processes on one PostgreSQL database (any constant works).
_PG_LOCK_KEY = 0x42524946  # "BRIF"


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic configuration without an ini file, optionally bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def migrate(db: Database, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (a no-op when it is already there)."""
    async with db.write() as conn:
        if db.is_postgres:
            # Per schema: databases shared through ?search_path= do not wait for each other.
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                {"key": _PG_LOCK_KEY},
            )
        await conn.run_sync(_upgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


async def schema_revision(db: Database) -> tuple[str | None, str | None]:
    """The database's alembic revision and the code's head, read without changing anything."""
    async with db.read() as conn:
        current = await conn.run_sync(_current_revision)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return current, head


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
