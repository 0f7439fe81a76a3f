"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

log = logging.getLogger(__name__)

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigId: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")
# Discord snowflakes need 64 bits; SQLite's INTEGER already holds them.
Snowflake: TypeEngine[int] = BigInteger()
Json: TypeEngine[Any] = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in and out, whatever the database keeps.

    PostgreSQL stores ``timestamptz``. SQLite has no time zones, so values are stored as naive
    UTC text, which compares correctly as long as every value goes through this type.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes (a bug upstream) and convert to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store takes timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
