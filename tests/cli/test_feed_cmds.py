"""``briefing preview``, ``poll-once`` and console mode, run as a user runs them."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

from bot.feeds.identity import normalize_url
from bot.store import Store
from tests.cli.run import briefing_async, environment
from tests.fixtures.http import HttpServer
from tests.poller.builders import rss, serve_seed_feed, story


def seed_feed(http_server: HttpServer) -> str:
    """A feed whose newest item is a teaser of the seed article (its page served too)."""
    return serve_seed_feed(http_server, title="World news")


async def test_preview_prints_digests_and_stores_nothing(
    http_server: HttpServer, tmp_path: Path
) -> None:
    url = seed_feed(http_server)
    result = await briefing_async(
        "preview",
        url,
        "--limit",
        "2",
        "--json",
        cwd=tmp_path,
        BRIEFING_ALLOW_PRIVATE_URLS="true",
        BRIEFING_DATA_DIR=str(tmp_path / "data"),
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["feed"]["title"] == "World news"
    first = data["items"][0]
    assert first["title"] == "Putin orders Syria pullout"
    assert first["text_source"] == "page"
    assert any("naval facility" in p["text"] for p in first["key_points"])
    assert len(data["items"]) == 2
    assert not (tmp_path / "data").exists()


async def test_preview_refuses_private_addresses_by_default(
    http_server: HttpServer, tmp_path: Path
) -> None:
    result = await briefing_async("preview", seed_feed(http_server), cwd=tmp_path)
    assert result.returncode == 1
    assert "BRIEFING_ALLOW_PRIVATE_URLS" in result.stderr
    assert http_server.requests == []


async def test_poll_once_polls_the_configured_database(
    http_server: HttpServer, tmp_path: Path
) -> None:
    url = http_server.static("/feed.xml", rss([story(1), story(2)]))
    data = tmp_path / "data"
    store = await Store.open(f"sqlite+aiosqlite:///{data / 'briefing.db'}")
    await store.add_feed(normalize_url(url))
    await store.close()
    env = {"BRIEFING_ALLOW_PRIVATE_URLS": "true", "BRIEFING_DATA_DIR": str(data)}
    first = await briefing_async("poll-once", cwd=tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert "first poll, 2 existing item(s) recorded" in first.stdout
    assert "1 feed(s) polled" in first.stdout

    http_server.static("/dead.xml", "gone", status=404)
    store = await Store.open(f"sqlite+aiosqlite:///{data / 'briefing.db'}")
    await store.add_feed(normalize_url(http_server.url("/dead.xml")))
    await store.close()
    second = await briefing_async("poll-once", cwd=tmp_path, **env)
    assert second.returncode == 1
    assert "404" in second.stdout


async def test_console_mode_prints_newest_items_then_new_arrivals(
    http_server: HttpServer, tmp_path: Path
) -> None:
    url = seed_feed(http_server)
    config = tmp_path / "briefing.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\n'
        "allow_private_urls = true\npoll_interval_seconds = 1\nmin_poll_interval_seconds = 1\n"
        f'[console]\nfeeds = ["{url}"]\nnewest = 2\n'
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        cwd=tmp_path,
        env=environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        lines = await read_until(process.stdout, "Story number 1")
        text = "\n".join(lines)
        assert "Putin orders Syria pullout" in text
        assert "naval facility" in text
        assert "Story number 2" not in text  # only the newest two at start
        http_server.static("/feed.xml", rss([story(0), story(1), story(2)], title="World news"))
        lines = await read_until(process.stdout, "Story number 0")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    assert "stopped" in out.decode()


async def read_until(stream: asyncio.StreamReader, needle: str) -> list[str]:
    """Lines of ``stream`` up to the one containing ``needle`` (30 s at most)."""
    lines: list[str] = []
    while True:
        line = await asyncio.wait_for(stream.readline(), 30)
        if not line:
            raise AssertionError(f"output ended before {needle!r}: {lines}")
        lines.append(line.decode())
        if needle in lines[-1]:
            return lines
