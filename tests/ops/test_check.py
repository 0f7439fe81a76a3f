"""``python -m bot check``: each problem names the setting, its variable and its file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store import Store
from tests.ops.cli import Result, run_bot

# Shaped like a bot token (the first part encodes a user id); not a real one.
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbcde.abcdefghijklmnopqrstuvwxyz0123456789AB"


def write_config(root: Path, body: str = "") -> Path:
    """config/briefing.toml under ``root`` with data_dir = root/data, plus ``body``."""
    (root / "config").mkdir(exist_ok=True)
    path = root / "config" / "briefing.toml"
    path.write_text(f'data_dir = "{root / "data"}"\n{body}', encoding="utf-8")
    return path


async def migrated(root: Path) -> None:
    """A migrated SQLite database where the config expects it."""
    store = await Store.open(f"sqlite+aiosqlite:///{root / 'data' / 'briefing.db'}")
    await store.close()


def check(root: Path, *args: str, **env: str) -> Result:
    """``check --offline``: these tests are about the configuration, not Discord's answer."""
    return run_bot(root, "check", "--offline", *args, **env)


async def test_a_sound_setup_passes_and_never_prints_the_token(tmp_path: Path) -> None:
    write_config(tmp_path)
    await migrated(tmp_path)
    result = check(tmp_path, BRIEFING_DISCORD_TOKEN=TOKEN)
    assert result.code == 0, result.text
    assert "all checks passed" in result.out
    assert "schema at revision" in result.out
    assert TOKEN not in result.text


def test_a_broken_setting_is_named_with_its_variable_and_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'poll_interval_seconds = "often"\n')
    result = check(tmp_path)
    assert result.code == 1
    assert "poll_interval_seconds [BRIEFING_POLL_INTERVAL_SECONDS]" in result.err
    assert str(Path("config/briefing.toml")) in result.err or str(path) in result.err


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    write_config(tmp_path, "pol_interval = 60\n")
    result = check(tmp_path)
    assert result.code == 1
    assert "pol_interval" in result.err


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (f"Bot {TOKEN}", "remove the 'Bot ' prefix"),
        (f'"{TOKEN}"', "quoted"),
        ("123456789012345678", "application id"),
        ("k3J9vQ2xLm8RtY7wPz4NcB6hD1fG5sA0", "does not look like a bot token"),
        ("abcdefghijklmnopqrstuvwx.GAbcde.abcdefghijklmnopqrstuvwxyz0123", "user id"),
    ],
)
async def test_a_misshapen_token_is_named_and_not_printed(
    tmp_path: Path, token: str, expected: str
) -> None:
    write_config(tmp_path)
    await migrated(tmp_path)
    result = check(tmp_path, BRIEFING_DISCORD_TOKEN=token)
    assert result.code == 1
    assert "discord_token [BRIEFING_DISCORD_TOKEN] (environment)" in result.err
    assert expected in result.err
    assert token.strip('"').removeprefix("Bot ") not in result.text


async def test_an_unreadable_token_file_is_named(tmp_path: Path) -> None:
    write_config(tmp_path, f'discord_token_file = "{tmp_path / "missing-token"}"\n')
    await migrated(tmp_path)
    result = check(tmp_path)
    assert result.code == 1
    assert "discord_token_file [BRIEFING_DISCORD_TOKEN_FILE] (file config" in result.err
    assert "cannot read the token file" in result.err


async def test_no_token_is_a_note_unless_required(tmp_path: Path) -> None:
    write_config(tmp_path)
    await migrated(tmp_path)
    relaxed = check(tmp_path)
    assert relaxed.code == 0, relaxed.text
    assert "console mode" in relaxed.out
    strict = check(tmp_path, "--require-token")
    assert strict.code == 1
    assert "discord_token [BRIEFING_DISCORD_TOKEN]" in strict.err


def test_a_data_dir_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a directory", encoding="utf-8")
    write_config(tmp_path)
    result = check(tmp_path, BRIEFING_DISCORD_TOKEN=TOKEN)
    assert result.code == 1
    assert "data_dir [BRIEFING_DATA_DIR] (file config" in result.err


def test_an_unreachable_database_is_named_without_its_password(tmp_path: Path) -> None:
    write_config(tmp_path, 'database_url = "postgresql+asyncpg://bot:s3cretpw@127.0.0.1:1/x"\n')
    result = check(tmp_path, BRIEFING_DISCORD_TOKEN=TOKEN)
    assert result.code == 1
    assert "database_url [BRIEFING_DATABASE_URL] (file config" in result.err
    assert "cannot connect" in result.err
    assert "s3cretpw" not in result.text


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_the_url_forms_users_paste_run_on_asyncpg(tmp_path: Path, scheme: str) -> None:
    # The form pg_dump and psql take: no "+asyncpg", and no psycopg installed.
    write_config(tmp_path, f'database_url = "{scheme}://postgres@127.0.0.1:5432/test"\n')
    result = check(tmp_path)
    assert "psycopg" not in result.text
    assert "postgresql+asyncpg://postgres@127.0.0.1:5432/test" in result.text
    assert "PostgreSQL through asyncpg" in result.out
    assert "cannot connect" not in result.err, result.text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://bot:s3cretpw@db/briefing", "mysql:// is not supported"),
        ("postgresql://bot:s3cretpw@db:port/briefing", "not a database URL"),
        ("just some words", "not a database URL"),
    ],
)
def test_a_broken_database_url_is_one_line_that_names_the_forms(
    tmp_path: Path, url: str, expected: str
) -> None:
    write_config(tmp_path, f'database_url = "{url}"\n')
    result = check(tmp_path)
    assert result.code == 1
    [problem] = [line for line in result.err.splitlines() if line.startswith("problem:")]
    assert "database_url [BRIEFING_DATABASE_URL] (file config" in problem
    assert expected in problem
    assert "postgresql://user:password@host:5432/dbname" in problem
    assert "Traceback" not in result.text
    assert "s3cretpw" not in result.text


async def test_a_schema_at_another_revision_is_a_problem(tmp_path: Path) -> None:
    write_config(tmp_path)
    await migrated(tmp_path)
    with sqlite3.connect(tmp_path / "data" / "briefing.db") as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    result = check(tmp_path, BRIEFING_DISCORD_TOKEN=TOKEN)
    assert result.code == 1
    assert "schema at revision 9999" in result.err


def test_a_fresh_install_is_not_created_by_the_check(tmp_path: Path) -> None:
    write_config(tmp_path)
    result = check(tmp_path, BRIEFING_DISCORD_TOKEN=TOKEN)
    assert result.code == 0, result.text
    assert "will be created at first start" in result.out
    assert not (tmp_path / "data").exists()


def test_a_bad_environment_variable_is_named_as_such(tmp_path: Path) -> None:
    write_config(tmp_path, 'poll_interval_seconds = "often"\n')
    result = check(tmp_path, BRIEFING_KEY_POINTS="50")
    assert result.code == 1
    assert "key_points [BRIEFING_KEY_POINTS] (environment)" in result.err
    assert "poll_interval_seconds [BRIEFING_POLL_INTERVAL_SECONDS] (file config" in result.err
    assert "2 problems found" in result.err
