"""``briefing check``: validate the configuration, the token, the database and the data directory.

Each problem is printed on one line naming the setting, its environment variable and where its
value came from; the exit status is 1 when there is any. Nothing is changed: the database is
neither created nor migrated, and the token is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.cli.check_discord import check_token_online
from bot.cli.common import EXAMPLE_CONFIG, setup_logging
from bot.logs import redact
from bot.settings import DEFAULT_CONFIG, Settings, SettingsError, load_settings
from bot.store.engine import Database, create_engine
from bot.store.migrate import schema_revision

DB_TIMEOUT_SECONDS = 10.0
# postgresql:// and postgres:// URLs are read as postgresql+asyncpg:// (see bot.settings).
BACKENDS = {"postgresql": "PostgreSQL through asyncpg", "sqlite": "SQLite through aiosqlite"}
_KEY_LINE = re.compile(r"^(\S+) (\[\S+\]): (.*)$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}$")


@dataclass
class Report:
    """What the check found: problems fail it, notes do not."""

    config: Path | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    def where(self, key: str) -> str:
        """The setting, its environment variable and where its value came from."""
        env = "BRIEFING_" + key.upper().replace(".", "__")
        if env in os.environ:
            return f"{key} [{env}] (environment)"
        return f"{key} [{env}] ({self.source()})"

    def source(self) -> str:
        """Where settings not in the environment come from."""
        return f"file {self.config}" if self.config is not None else "defaults"

    def problem(self, key: str, message: str) -> None:
        """Record a problem with ``key``."""
        self.problems.append(f"{self.where(key)}: {message}")


def register(commands: Any) -> None:
    """Add the ``check`` sub-command."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "check",
        help="check the configuration, token, database and data directory",
        description="Check the configuration without changing anything; exit status 1 when "
        "something is wrong.",
    )
    parser.add_argument(
        "--require-token", action="store_true", help="a missing Discord token is a problem"
    )
    online = parser.add_mutually_exclusive_group()
    online.add_argument(
        "--online",
        action="store_true",
        help="ask Discord whose the token is (a missing token is then a problem)",
    )
    online.add_argument(
        "--offline",
        action="store_true",
        help="do not contact Discord (by default it is asked when a token is set)",
    )
    parser.set_defaults(handler=run)


def config_path(args: argparse.Namespace) -> Path | None:
    """The config file ``python -m bot`` would read with these arguments."""
    if args.config is not None:
        return Path(args.config)
    if os.environ.get("BRIEFING_CONFIG"):
        return Path(os.environ["BRIEFING_CONFIG"])
    for candidate in (DEFAULT_CONFIG, EXAMPLE_CONFIG):
        if candidate.is_file():
            return candidate
    return None


def run(args: argparse.Namespace) -> int:
    """Run every check, print the findings; 1 when there are problems."""
    path = config_path(args)
    report = Report(config=path)
    try:
        settings = load_settings(path)
    except SettingsError as exc:
        report.problems.extend(settings_problems(exc, report))
        return _print(report)
    setup_logging("WARNING", settings.log_format)
    report.passed.append(f"settings loaded from {path or 'the environment and defaults'}")
    token = check_token(settings, report, required=args.require_token or args.online)
    check_data_dir(settings, report)
    asyncio.run(_check_services(settings, report, token if not args.offline else None))
    return _print(report)


async def _check_services(settings: Settings, report: Report, token: str | None) -> None:
    await check_database(settings, report)
    if token is not None:
        await check_token_online(settings, token, report)


def settings_problems(error: SettingsError, report: Report) -> list[str]:
    """One line per bad key of a :class:`SettingsError`, naming where its value came from."""
    lines = list(error.problems)
    found = [_KEY_LINE.match(line) for line in lines]
    if not lines or not all(found):
        return [str(error)]  # a file that is not TOML: the message names the file and the line
    return [
        f"{report.where(m[1]) if m[1] != 'settings' else report.source()}: {m[3]}"
        for m in found
        if m
    ]


def check_token(settings: Settings, report: Report, *, required: bool) -> str | None:
    """The token is present (or console mode is intended) and shaped like a bot token.

    Returns the token when it is worth asking Discord about.
    """
    key = "discord_token" if settings.discord_token is not None else "discord_token_file"
    try:
        token = settings.token()
    except OSError as exc:
        report.problem("discord_token_file", f"cannot read the token file: {exc.strerror}")
        return None
    if token is None:
        message = "no Discord token set: Briefing runs in console mode"
        if required:
            report.problem("discord_token", message)
        else:
            report.notes.append(message)
        return None
    problem = token_problem(token)
    if problem:
        report.problem(key, problem)
        return None
    report.passed.append("Discord token present and well-formed")
    return token


def token_problem(token: str) -> str | None:
    """Why ``token`` is not shaped like a Discord bot token (None when it is); never echoes it."""
    if token.lower().startswith(("bot ", "bearer ")):
        return "remove the 'Bot ' prefix: set the token alone"
    if token[:1] in "\"'" or token[-1:] in "\"'":
        return "the token is quoted: remove the quotes"
    if token.isdigit():
        return "this is a number (the application id?), not the bot token"
    if not _TOKEN.match(token):
        return (
            "does not look like a bot token (three base64url parts separated by dots): copy "
            "it from Bot > Reset Token in the developer portal, not the client secret"
        )
    first = token.split(".", 1)[0]
    try:
        user_id = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        user_id = ""
    if not user_id.isdigit():
        return "the first part of the token does not encode a user id: is it complete?"
    return None


def check_data_dir(settings: Settings, report: Report) -> None:
    """The data directory exists (or can be created) and is writable."""
    directory = settings.data_dir.resolve()
    existing = nearest_existing(directory)
    if not existing.is_dir():
        report.problem("data_dir", f"{existing} is not a directory")
        return
    if existing != directory:
        if (problem := unwritable(existing)) is None:
            report.notes.append(f"data directory {directory} will be created at first start")
        else:
            report.problem(
                "data_dir", f"{directory} does not exist and cannot be created in {existing}: "
                f"{problem}",
            )  # fmt: skip
        return
    if (problem := unwritable(directory)) is not None:
        report.problem("data_dir", f"{directory} is not writable: {problem}")
        return
    report.passed.append(f"data directory {directory} is writable")


def nearest_existing(path: Path) -> Path:
    """``path`` itself or its closest existing parent."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def unwritable(directory: Path) -> str | None:
    """Why nothing can be created in ``directory``; None if something can.

    A file is made and removed at once: permission bits alone mislead (root, read-only
    mounts, /proc).
    """
    if not directory.is_dir():
        return "not a directory"
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


async def check_database(settings: Settings, report: Report) -> None:
    """The database answers and its schema is at the revision this code expects."""
    try:
        url = make_url(settings.effective_database_url)
    except Exception as exc:
        report.problem("database_url", f"not a database URL: {exc}")
        return
    shown = url.render_as_string(hide_password=True)
    if settings.database_url is not None:
        report.notes.append(f"database_url {shown}: {BACKENDS.get(url.get_backend_name(), '?')}")
    missing = await asyncio.to_thread(_missing_sqlite_file, url.get_backend_name(), url.database)
    if missing:
        _judge_missing_sqlite(report, Path(str(url.database)), settings)
        return
    db = Database(create_engine(url.render_as_string(hide_password=False)))
    try:
        current, head = await asyncio.wait_for(_revision(db), DB_TIMEOUT_SECONDS)
    except TimeoutError:
        report.problem("database_url", f"{shown}: no answer within {DB_TIMEOUT_SECONDS:.0f} s")
        return
    except Exception as exc:
        report.problem("database_url", f"{shown}: cannot connect: {redact(str(exc))}")
        return
    finally:
        await db.dispose()
    _judge_revision(report, shown, current, head)


def _judge_missing_sqlite(report: Report, database: Path, settings: Settings) -> None:
    """A SQLite file still to be created: its directory must be creatable and writable."""
    parent = nearest_existing(database.parent.resolve())
    problem = unwritable(parent)
    if problem is None:
        report.notes.append(f"database {database} will be created at first start")
        return
    if settings.database_url is None:
        return  # the file goes in the data directory, whose own check said why it cannot
    report.problem(
        "database_url",
        f"the SQLite file {database} cannot be created in {parent}: {problem}; "
        "point it at a writable directory",
    )


def _missing_sqlite_file(backend: str, database: str | None) -> bool:
    # Connecting would create the file: the check changes nothing.
    if backend != "sqlite" or not database or database == ":memory:":
        return False
    return not database.startswith("file:") and not Path(database).is_file()


async def _revision(db: Database) -> tuple[str | None, str | None]:
    async with db.read() as conn:
        await conn.execute(text("SELECT 1"))
    return await schema_revision(db)


def _judge_revision(report: Report, shown: str, current: str | None, head: str | None) -> None:
    if current == head:
        report.passed.append(f"database {shown} reachable, schema at revision {head}")
    elif current is None:
        report.notes.append(f"database {shown} is empty: the schema is created at first start")
    else:
        report.problem(
            "database_url",
            f"{shown}: schema at revision {current}, this version expects {head}: start "
            "Briefing once to migrate (a revision unknown here means a newer version ran on it)",
        )


def _print(report: Report) -> int:
    for line in report.passed:
        print(f"ok: {line}")
    for line in report.notes:
        print(f"note: {line}")
    for line in report.problems:
        print(f"problem: {line}", file=sys.stderr)
    if report.problems:
        count = len(report.problems)
        print(f"{count} problem{'s' if count > 1 else ''} found", file=sys.stderr)
        return 1
    print("all checks passed")
    return 0
