"""Every command's failure reaches the user: expected ones with their message, bugs with an
apology and an incident id, logged once with the traceback. Replies always fit Discord.

The bugs are real: a table of the bot's own SQLite database is renamed underneath it, so the
command's query fails inside the store, as a damaged or half-restored database would.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.digest import summarize
from tests.conftest import SEED_ARTICLE
from tests.discord.feeds_helpers import reply, run, text_of
from tests.fakediscord import FakeDiscord
from tests.fixtures.bot import RunningBot, StartBot
from tests.fixtures.http import HttpServer
from tests.store.factory import article

EXTENSIONS = ("cogs.feeds", "cogs.followups", "cogs.digest")
INCIDENT = re.compile(r"incident `([0-9a-f]{8})`")


async def start(
    start_bot: StartBot,
    fake: FakeDiscord,
    tmp_path: Path,
    *,
    extensions: tuple[str, ...] = EXTENSIONS,
) -> RunningBot:
    """The bot with the command cogs, one feed followed in the test channel, and the seed
    article stored, so that /search and /ask find matches and go on to read the articles."""
    running = await start_bot(extensions=extensions, data_dir=tmp_path / "data")
    store = running.runtime.store
    feed = await store.add_feed("https://news.example/feed.xml", title="World News")
    await store.subscribe(feed.id, fake.guild.id, fake.channel.id, mode="instant", added_by=None)
    text = SEED_ARTICLE.read_text()
    seed = article("seed", title="Putin orders Syria pullout", text=text)
    seed = replace(seed, digest=summarize(text, title="Putin orders Syria pullout"))
    await store.store_articles(feed.id, [seed], deliver=False)
    return running


def break_table(data_dir: Path, table: str) -> None:
    """Rename ``table`` in the bot's database, as a damaged restore would leave it."""
    with sqlite3.connect(data_dir / "briefing.db") as db:
        db.execute(f"ALTER TABLE {table} RENAME TO {table}_gone")


CASES = [
    ("search", {"query": "syria"}, "articles", False),
    ("ask", {"question": "What will Russia keep in Syria?"}, "articles", False),
    ("keypoints", {"article": "Putin"}, "articles", False),
    ("feed list", {}, "subscriptions", False),
    ("feed status", {}, "feeds", False),
    ("feed add", {"url": "http://127.0.0.1:9/feed.xml"}, "feeds", True),  # deferred first
    ("digest list", {}, "schedules", False),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
async def test_a_failing_command_apologises_privately_and_logs_one_traceback(
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    case: tuple[str, dict[str, Any], str, bool],
) -> None:
    command, options, table, deferred = case
    await start(start_bot, fake_discord, tmp_path)
    break_table(tmp_path / "data", table)
    caplog.set_level(logging.INFO)
    handle = await fake_discord.interact(command, options, user=fake_discord.admin)
    message = await reply(handle)
    assert message.ephemeral
    assert (handle.response_type == 5) is deferred  # 5: deferred ("thinking..."), then filled
    [incident] = INCIDENT.findall(message.content)
    assert message.content.startswith("Sorry, something went wrong on my side")
    assert len(message.content) < 300
    tracebacks = [r for r in caplog.records if r.exc_info is not None]
    assert len(tracebacks) == 1, [r.getMessage() for r in tracebacks]
    assert incident in tracebacks[0].getMessage()
    assert f"/{command} failed" in tracebacks[0].getMessage()
    assert "gone" not in message.content
    assert "sqlite" not in message.content.lower()


async def test_an_expected_error_answers_with_its_message_and_logs_no_traceback(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await start(start_bot, fake_discord, tmp_path)
    caplog.set_level(logging.INFO)
    message = await run(
        fake_discord, "digest schedule", {"channel": fake_discord.channel, "at": "25:99"}
    )
    assert message.ephemeral
    assert "25:99" in message.content
    assert "incident" not in message.content
    assert [r for r in caplog.records if r.exc_info is not None] == []


def option(fake: FakeDiscord, path: str, name: str) -> dict[str, Any]:
    """The registered definition of one option of a (sub)command."""
    first, *rest = path.split()
    [command] = [c for c in fake.commands(fake.guild.id) if c["name"] == first]
    options: list[dict[str, Any]] = command["options"]
    for part in rest:
        [sub] = [o for o in options if o["name"] == part]
        options = sub["options"]
    [found] = [o for o in options if o["name"] == name]
    return found


DECLARED = [
    ("search", "query", 200),
    ("ask", "question", 300),
    ("keypoints", "article", 200),
    ("feed add", "url", 2048),
    ("feed preview", "url", 2048),
    ("feed remove", "feed", 100),
    ("feed filter", "include", 1000),
    ("digest schedule", "at", 100),
]


async def test_text_options_declare_their_length_so_discord_refuses_longer_input(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    await start(start_bot, fake_discord, tmp_path)
    declared = [
        (command, name, option(fake_discord, command, name).get("max_length"))
        for command, name, _ in DECLARED
    ]
    assert declared == DECLARED


async def test_a_10000_character_search_is_refused_by_discord_itself(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    await start(start_bot, fake_discord, tmp_path)
    with pytest.raises(ValueError, match="query: 10000 characters, outside"):
        await fake_discord.interact("search", {"query": "war " * 2500})
    longest = await run(fake_discord, "search", {"query": "z" * 200})
    assert longest.ephemeral
    assert len(longest.content) <= 2000
    assert "No article of the last 30 days matches" in longest.content


async def test_a_long_feed_url_gets_a_clear_reply_within_discords_limits(
    start_bot: StartBot, fake_discord: FakeDiscord, tmp_path: Path, http_server: HttpServer
) -> None:
    await start(start_bot, fake_discord, tmp_path)
    with pytest.raises(ValueError, match="url: 4000 characters, outside"):
        await fake_discord.interact("feed add", {"url": "https://e.example/" + "a" * 3982})
    # Within the declared length, the answer (which repeats the URL) is still fitted.
    url = http_server.url("/" + "missing/" * 250)[:2048]
    message = await run(fake_discord, "feed add", {"url": url}, user=fake_discord.admin)
    text = text_of(message)
    assert message.ephemeral
    assert text.startswith("I could not read http://127.0.0.1")
    assert len(message.content) <= 2000
