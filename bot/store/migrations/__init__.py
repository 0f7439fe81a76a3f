"""Alembic migrations of the store (run by ``bot.store.migrate``)."""
