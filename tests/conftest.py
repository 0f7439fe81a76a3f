"""Shared test set-up: where ../shared lives, and the fixture plugins of each area."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.fixtures.http",
    "tests.fixtures.db",
    "tests.fixtures.discord",
    "tests.fixtures.bot",
    "tests.fixtures.pgcluster",
]

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BRIEFING_SHARED_DIR", ROOT.parent / "shared"))
SEED_ARTICLE = ROOT / "tests" / "data" / "seed-article.txt"


_CACHE_KEY = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Keep what the suite caches (the language model's arrays) out of the user's ~/.cache.

    Set in the environment, so the bot processes the tests start use the same folder; each
    xdist worker has its own and removes it at the end.
    """
    folder = tempfile.mkdtemp(prefix="briefing-test-cache-")
    config.stash[_CACHE_KEY] = folder
    os.environ["XDG_CACHE_HOME"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_CACHE_KEY, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the calling test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the evaluation data in ../shared is not checked out here")
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared folder (evaluation data, feed corpus, extraction pages)."""
    return shared_path()
