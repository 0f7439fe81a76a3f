"""One settings model: a TOML file in config/ plus ``BRIEFING_*`` environment variables.

Nothing is read at import time: :func:`load_settings` is called by the composition root
(``python -m bot``) and by tests, which pass their own values.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import BriefingError

DEFAULT_CONFIG = Path("config/briefing.toml")
# What a process does: connect to Discord's gateway (commands, scheduled digests of its shards),
# poll feeds, post from the outbox, run the once-only jobs (it may become the leader).
ROLES = ("gateway", "poller", "sender", "scheduler")
# The URL forms people paste (pg_dump, psql, docs) and the async driver Briefing runs them on.
DATABASE_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


class ConsoleSettings(BaseModel):
    """Console mode (no Discord token): which feeds to poll and print."""

    feeds: list[str] = Field(default_factory=list, description="Feed URLs polled in console mode.")
    newest: int = Field(3, ge=0, le=20, description="Items of each feed printed at start.")


class Settings(BaseSettings):
    """Every setting of Briefing; environment variables override the TOML file."""

    model_config = SettingsConfigDict(
        env_prefix="BRIEFING_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    # Discord
    discord_token: SecretStr | None = Field(None, description="Bot token (environment only).")
    discord_token_file: Path | None = Field(None, description="File holding the bot token.")
    discord_api_base: str = Field(
        "https://discord.com/api/v10", description="REST API base of a Discord-compatible server."
    )
    discord_gateway_url: str | None = Field(None, description="Gateway URL override.")
    dev_guild_id: int | None = Field(None, description="Sync slash commands to this guild only.")
    shard_ids: list[int] | None = Field(None, description="Shards run by this process.")
    shard_count: int | None = Field(None, ge=1, description="Total number of shards.")

    roles: list[str] = Field(
        default_factory=lambda: list(ROLES),
        description="What this process does, any of gateway, poller, sender, scheduler "
        "(environment: JSON, e.g. '[\"poller\"]').",
    )

    # Storage
    data_dir: Path = Field(Path("data"), description="Where the SQLite database lives.")
    database_url: str | None = Field(
        None,
        description="postgresql://user:pw@host/db (or postgres://, run on asyncpg) or "
        "sqlite:///path; default: SQLite file in data_dir.",
    )

    # Fetching
    allow_private_urls: bool = Field(
        False,
        description="Allow feeds on loopback/private addresses (self-hosted feeds, tests); "
        "cloud metadata and link-local addresses stay refused.",
    )
    user_agent: str = Field(
        "Briefing/0.1 (+https://github.com/briefing-bot/briefing; self-hosted feed reader)",
        description="User-Agent sent with every request.",
    )
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="Response body cap.")
    connect_timeout_seconds: float = Field(10.0, gt=0, description="TCP/TLS connect timeout.")
    read_timeout_seconds: float = Field(30.0, gt=0, description="Whole-response timeout.")
    per_host_concurrency: int = Field(2, ge=1, description="Requests in flight per host.")
    global_concurrency: int = Field(64, ge=1, description="Requests in flight in total.")
    teaser_words: int = Field(
        150, ge=0, description="Entries with fewer words get their page fetched and extracted."
    )
    max_entries_per_feed: int = Field(
        500, ge=1, description="Only a feed's newest entries are read; older ones are ignored."
    )

    # Polling
    poll_interval_seconds: int = Field(600, ge=1, description="Default time between polls.")
    min_poll_interval_seconds: int = Field(60, ge=1, description="Never poll a feed more often.")
    max_poll_interval_seconds: int = Field(
        6 * 3600, ge=1, description="Never poll a feed less often (backoff cap)."
    )

    # Posting
    delivery_rate_per_second: int = Field(
        45,
        ge=1,
        le=50,
        description="Posts per second (Discord allows 50 requests/s per bot token); on "
        "PostgreSQL a budget shared by every process, on SQLite this process's.",
    )
    delivery_lease_seconds: float = Field(
        120.0,
        gt=0,
        description="A claimed post's lease: renewed while the post waits or is in flight, "
        "so a slow send is never taken over; a claim nobody renews frees the post after this long.",
    )
    delivery_idle_seconds: float = Field(
        1.0, gt=0, description="How often the delivery worker looks for new posts."
    )

    instance_name: str | None = Field(
        None,
        description="This process's stable name (a restart takes over its claims at once; a "
        "name a live process holds is refused); default: host, database, shard ids and roles.",
    )
    worker_heartbeat_seconds: float = Field(
        5.0, gt=0, description="How often this process tells the others it is alive."
    )
    worker_stale_seconds: float = Field(
        15.0,
        gt=0,
        description="A process silent this long is dead: others take over its claims.",
    )
    leader_check_seconds: float = Field(
        5.0,
        gt=0,
        description="How often a process checks it still leads, or tries to take over from a "
        "leader that died (the leader runs retention and failing-feed notices).",
    )
    shutdown_grace_seconds: float = Field(
        10.0,
        ge=0,
        description="On SIGTERM/SIGINT, how long posts under way may take to finish.",
    )

    # Digest
    key_points: int = Field(3, ge=1, le=10, description="Key points per article.")
    digest_tick_seconds: float = Field(
        30.0, gt=0, le=60, description="How often due digest schedules are looked for."
    )

    # Operations
    retention_days: int = Field(
        90, ge=1, description="Articles older than this are pruned (unless still to be posted)."
    )
    health_port: int | None = Field(
        None, ge=0, le=65535, description="Port of /healthz and /metrics; unset: no server."
    )
    health_host: str = Field("127.0.0.1", description="Address the health server binds to.")

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="Log format: text for people, json for log collectors."
    )

    console: ConsoleSettings = Field(default_factory=ConsoleSettings)

    @field_validator("discord_api_base")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        unknown = [role for role in value if role not in ROLES]
        if unknown:
            raise ValueError(f"unknown role {unknown[0]!r}: roles are {', '.join(ROLES)}")
        if not value:
            raise ValueError(f"no role: give at least one of {', '.join(ROLES)}")
        return list(dict.fromkeys(value))

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        return normalize_database_url(value) if value else None

    @model_validator(mode="after")
    def _check_intervals(self) -> Settings:
        if self.worker_stale_seconds < 2 * self.worker_heartbeat_seconds:
            raise ValueError("worker_stale_seconds must be at least twice worker_heartbeat_seconds")
        if self.min_poll_interval_seconds > self.poll_interval_seconds:
            raise ValueError("min_poll_interval_seconds must not exceed poll_interval_seconds")
        if self.max_poll_interval_seconds < self.poll_interval_seconds:
            raise ValueError("max_poll_interval_seconds must not be below poll_interval_seconds")
        return self

    @property
    def effective_database_url(self) -> str:
        """The database URL in use: the configured one, else a SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'briefing.db').resolve()}"

    def token(self) -> str | None:
        """The Discord token from the environment or the token file, if any."""
        if self.discord_token is not None:
            return self.discord_token.get_secret_value().strip() or None
        if self.discord_token_file is not None:
            return self.discord_token_file.read_text(encoding="utf-8").strip() or None
        return None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Precedence: explicit arguments, then the environment, then the TOML file.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


def normalize_database_url(url: str) -> str:
    """``url`` on the async driver Briefing uses: ``postgres://`` -> ``postgresql+asyncpg://``.

    Raises ValueError naming the supported forms for anything else.
    """
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError):
        raise ValueError(
            "not a database URL: use postgresql://user:password@host:5432/dbname or "
            "sqlite:///path/to/briefing.db"
        ) from None
    driver = DATABASE_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"{parsed.drivername}:// is not supported: Briefing runs on PostgreSQL "
            "(postgresql://user:password@host:5432/dbname) or SQLite (sqlite:///path/to/file.db)"
        )
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


class SettingsError(BriefingError):
    """Invalid configuration: the message names each key, the file and the reason."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)  # "key [ENV]: reason", one per bad key


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from ``config`` (TOML), the environment and ``overrides``.

    Raises :class:`SettingsError` naming every bad key and where it came from.
    """
    path = config
    if path is None and os.environ.get("BRIEFING_CONFIG"):
        path = Path(os.environ["BRIEFING_CONFIG"])
    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    if path is not None and not path.is_file():
        raise SettingsError(f"config file {path} does not exist")
    settings_cls: type[Settings] = Settings
    if path is not None:

        class _FromFile(Settings):
            model_config = SettingsConfigDict(toml_file=path)

        settings_cls = _FromFile
    try:
        return settings_cls(**overrides)
    except ValidationError as exc:
        problems = _problems(exc)
        raise SettingsError(_describe(problems, path), problems) from None
    except ValueError as exc:  # TOML syntax errors
        raise SettingsError(f"{path}: {exc}") from None


def _problems(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "settings"
        env = "BRIEFING_" + "__".join(str(p) for p in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{key} [{env}]: {message}")
    return lines


def _describe(problems: Sequence[str], path: Path | None) -> str:
    where = f" (file {path} or environment)" if path else " (environment)"
    if len(problems) == 1:  # the usual case reads as one line
        return f"invalid setting{where}: {problems[0]}"
    return "invalid settings" + where + ":\n  " + "\n  ".join(problems)
