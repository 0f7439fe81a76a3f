"""Failing starts end in one line that says what to do, a non-zero status and no traceback.

``python -m bot`` runs in a subprocess as a user would start it: a wrong token against the
Discord-compatible test server, Discord on a closed loopback port, the database on a closed
port, a broken setting. ``check`` asks the same server whose the token is.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from tests.cli.run import Completed, briefing_async
from tests.fakediscord import FakeDiscord

# Shaped like a bot token (the first part encodes a user id); never accepted anywhere.
WRONG_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbcde.abcdefghijklmnopqrstuvwxyz0123456789AB"
LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d (DEBUG|INFO|WARNING) +\S+: ")


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def the_one_line(result: Completed) -> str:
    """The error line; fails unless every other line on stderr is an ordinary log line."""
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if not LOG_LINE.match(line)]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("briefing: ")
    return errors[0]


def settings(fake: FakeDiscord, data: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot pointed at the test server."""
    return {
        "BRIEFING_DISCORD_API_BASE": fake.api_base,
        "BRIEFING_DISCORD_GATEWAY_URL": fake.gateway_url,
        "BRIEFING_DEV_GUILD_ID": str(fake.guild.id),
        "BRIEFING_DATA_DIR": str(data),
        **extra,
    }


async def test_a_wrong_token_is_one_line_naming_the_reset(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    env = settings(fake_discord, tmp_path / "data", BRIEFING_DISCORD_TOKEN=WRONG_TOKEN)
    result = await briefing_async("run", cwd=tmp_path, **env)
    assert result.returncode == 1
    line = the_one_line(result)
    assert "Discord refused the bot token (401 Unauthorized)" in line
    assert "Reset Token" in line
    assert WRONG_TOKEN not in result.stdout + result.stderr


async def test_no_route_to_discord_is_one_line(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    api_base = f"http://127.0.0.1:{closed_port()}/api/v10"
    env = settings(
        fake_discord,
        tmp_path / "data",
        BRIEFING_DISCORD_TOKEN=fake_discord.token,
        BRIEFING_DISCORD_API_BASE=api_base,
    )
    result = await briefing_async("run", cwd=tmp_path, **env)
    assert result.returncode == 1
    line = the_one_line(result)
    assert f"cannot reach Discord at {api_base}" in line
    assert "check the network connection" in line


@pytest.mark.parametrize("mode", ["discord", "console"])
async def test_an_unreachable_database_is_one_line(
    fake_discord: FakeDiscord, tmp_path: Path, mode: str
) -> None:
    url = f"postgresql://briefing:s3cretpw@127.0.0.1:{closed_port()}/briefing"
    env = settings(fake_discord, tmp_path / "data", BRIEFING_DATABASE_URL=url)
    if mode == "discord":
        env["BRIEFING_DISCORD_TOKEN"] = fake_discord.token
    else:
        env["BRIEFING_CONSOLE__FEEDS"] = '["http://127.0.0.1:9/feed.xml"]'
    result = await briefing_async("run", cwd=tmp_path, **env)
    assert result.returncode == 1
    line = the_one_line(result)
    assert "cannot open the database postgresql+asyncpg://briefing:***@127.0.0.1" in line
    assert "BRIEFING_DATABASE_URL" in line
    assert "s3cretpw" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BRIEFING_POLL_INTERVAL_SECONDS": "often"}, "poll_interval_seconds"),
        ({"BRIEFING_DATABASE_URL": "mysql://x@db/briefing"}, "mysql:// is not supported"),
        ({"BRIEFING_DATA_DIR": "/proc/no-such-dir"}, "cannot use the data directory"),
    ],
)
async def test_a_broken_config_is_one_line(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    env = {"BRIEFING_CONSOLE__FEEDS": '["http://127.0.0.1:9/feed.xml"]', **env}
    result = await briefing_async("run", cwd=tmp_path, **env)
    assert result.returncode == 1
    assert expected in the_one_line(result)


async def test_debug_logging_shows_the_traceback(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    env = settings(
        fake_discord,
        tmp_path / "data",
        BRIEFING_DISCORD_TOKEN=WRONG_TOKEN,
        BRIEFING_LOG_LEVEL="DEBUG",
    )
    result = await briefing_async("run", cwd=tmp_path, **env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "LoginFailure" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("briefing: Discord refused")


async def test_check_asks_discord_whose_the_token_is(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    env = settings(fake_discord, tmp_path / "data", BRIEFING_DISCORD_TOKEN=fake_discord.token)
    result = await briefing_async("check", cwd=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    bot_id = fake_discord.bot_user.id
    assert f"Discord accepts the token: bot Briefing (id {bot_id})" in result.stdout


async def test_check_finds_a_revoked_token(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    env = settings(fake_discord, tmp_path / "data", BRIEFING_DISCORD_TOKEN=WRONG_TOKEN)
    result = await briefing_async("check", cwd=tmp_path, **env)
    assert result.returncode == 1
    assert "discord_token [BRIEFING_DISCORD_TOKEN] (environment)" in result.stderr
    assert "Discord refused the token (401 Unauthorized)" in result.stderr
    offline = await briefing_async("check", "--offline", cwd=tmp_path, **env)
    assert offline.returncode == 0, offline.stderr  # the shape alone is fine


async def test_check_online_without_a_route_or_a_token(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    api_base = f"http://127.0.0.1:{closed_port()}/api/v10"
    env = settings(
        fake_discord,
        tmp_path / "data",
        BRIEFING_DISCORD_TOKEN=fake_discord.token,
        BRIEFING_DISCORD_API_BASE=api_base,
    )
    unreachable = await briefing_async("check", "--online", cwd=tmp_path, **env)
    assert unreachable.returncode == 1
    assert f"cannot reach Discord at {api_base}" in unreachable.stderr
    del env["BRIEFING_DISCORD_TOKEN"]
    no_token = await briefing_async("check", "--online", cwd=tmp_path, **env)
    assert no_token.returncode == 1
    assert "discord_token [BRIEFING_DISCORD_TOKEN]" in no_token.stderr


OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
<outline type="rss" text="A" xmlUrl="https://a.example/feed.xml"/>
</body></opml>
"""
DATABASE_COMMANDS = {
    "poll-once": ["poll-once"],
    "opml import": ["opml", "import", "feeds.opml", "--guild", "1", "--channel", "2"],
    "opml export": ["opml", "export", "-"],
    "ask": ["ask", "anything at all"],
}


def broken_database(kind: str) -> tuple[dict[str, str], str]:
    """Settings whose database cannot be opened, and what the line must say."""
    if kind == "postgresql unreachable":
        url = f"postgresql://briefing:s3cretpw@127.0.0.1:{closed_port()}/briefing"
        return {"BRIEFING_DATABASE_URL": url}, "cannot open the database postgresql+asyncpg://"
    if kind == "sqlite in an uncreatable directory":
        url = "sqlite+aiosqlite:////proc/no-such-dir/briefing.db"
        return {"BRIEFING_DATABASE_URL": url}, "the SQLite file's directory must exist"
    return {"BRIEFING_DATA_DIR": "/proc/no-such-dir"}, "set data_dir [BRIEFING_DATA_DIR]"


BROKEN = ["postgresql unreachable", "sqlite in an uncreatable directory", "data_dir uncreatable"]


@pytest.mark.parametrize("kind", BROKEN)
@pytest.mark.parametrize("command", list(DATABASE_COMMANDS))
async def test_a_command_on_a_broken_database_is_one_line(
    tmp_path: Path, command: str, kind: str
) -> None:
    (tmp_path / "feeds.opml").write_text(OPML)
    env, expected = broken_database(kind)
    result = await briefing_async(*DATABASE_COMMANDS[command], cwd=tmp_path, **env)
    assert result.returncode == 1
    line = the_one_line(result)
    assert expected in line
    assert "unexpected" not in line
    assert "s3cretpw" not in result.stdout + result.stderr


@pytest.mark.parametrize("kind", BROKEN)
async def test_check_names_a_broken_database(tmp_path: Path, kind: str) -> None:
    env, _ = broken_database(kind)
    result = await briefing_async("check", "--offline", cwd=tmp_path, **env)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith("problem: ")]
    assert len(problems) == 1, result.stderr
    key = "data_dir" if kind.startswith("data_dir") else "database_url"
    assert problems[0].startswith(f"problem: {key} [BRIEFING_{key.upper()}] (environment)")


async def test_a_broken_database_shows_its_traceback_when_debugging(tmp_path: Path) -> None:
    env, expected = broken_database("postgresql unreachable")
    result = await briefing_async("poll-once", cwd=tmp_path, BRIEFING_LOG_LEVEL="DEBUG", **env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert expected in result.stderr.rstrip().splitlines()[-1]
