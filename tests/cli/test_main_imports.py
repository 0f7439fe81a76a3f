"""The main process never imports the parsing libraries: only worker processes parse and extract.

feedparser, trafilatura (with lxml, py3langid and numpy) cost tens of MB and seconds to import;
the event-loop process only submits jobs that name them (``bot.jobs``).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from bot.feeds.identity import normalize_url
from bot.store import Store
from tests.cli.run import environment
from tests.conftest import ROOT
from tests.fixtures.http import HttpServer
from tests.poller.builders import rss, serve_seed_feed, story

WORKER_ONLY = ("feedparser", "trafilatura", "lxml", "py3langid", "numpy")
# Modules that run in worker processes (or alembic's own process) by design.
WORKER_MODULES = ("bot.feeds.parse", "bot.feeds.extract", "bot.prepare", "bot.digest._langmodel")

IMPORT_ALL = f"""
import importlib, pkgutil, sys
import bot, cogs
for package in (bot, cogs):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        name = module.name
        if name.startswith({WORKER_MODULES!r}) or name.startswith("bot.store.migrations"):
            continue
        importlib.import_module(name)
print(len(sys.modules), *[m for m in {WORKER_ONLY!r} if m in sys.modules])
"""

# python -m bot ARGS, then report which worker-only libraries the main process loaded.
RUN_BOT = f"""
import atexit, runpy, sys
atexit.register(
    lambda: print("loaded:", *[m for m in {WORKER_ONLY!r} if m in sys.modules], file=sys.stderr)
)
sys.argv = ["bot", *sys.argv[1:]]
runpy.run_module("bot", run_name="__main__", alter_sys=True)
"""


def test_importing_every_main_process_module_leaves_the_parsers_out() -> None:
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    count, *loaded = out.stdout.split()
    assert int(count) > 300  # the walk did import the bot, discord.py and SQLAlchemy
    assert loaded == []


async def test_a_poll_parses_and_extracts_in_workers_only(
    http_server: HttpServer, tmp_path: Path
) -> None:
    teaser = serve_seed_feed(http_server, title="World news")  # its page is fetched and extracted
    plain = http_server.static("/plain.xml", rss([story(1), story(2)]))
    data = tmp_path / "data"
    store = await Store.open(f"sqlite+aiosqlite:///{data / 'briefing.db'}")
    for url in (teaser, plain):
        await store.add_feed(normalize_url(url))
    await store.close()
    env = environment(BRIEFING_ALLOW_PRIVATE_URLS="true", BRIEFING_DATA_DIR=str(data))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUN_BOT,
        "poll-once",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    assert "2 feed(s) polled" in out.decode()
    assert err.decode().splitlines()[-1] == "loaded:"
