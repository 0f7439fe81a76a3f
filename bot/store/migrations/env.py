"""Alembic environment: runs on the connection ``bot.store.migrate`` hands over."""

from __future__ import annotations

import logging

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.tables import Base

log = logging.getLogger(__name__)


def run() -> None:
    """Run the migrations on the connection passed in the config's attributes."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("migrations run through bot.store.migrate (Store.open), not the CLI")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
