"""Settings: TOML plus environment, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


def test_toml_and_environment_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "briefing.toml"
    config.write_text(
        'poll_interval_seconds = 120\n[console]\nfeeds = ["http://example.org/feed"]\n'
    )
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "true")
    settings = load_settings(config)
    assert settings.poll_interval_seconds == 120
    assert settings.console.feeds == ["http://example.org/feed"]
    assert settings.allow_private_urls is True


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "briefing.toml"
    config.write_text("poll_interval_seconds = 120\n")
    monkeypatch.setenv("BRIEFING_POLL_INTERVAL_SECONDS", "300")
    assert load_settings(config).poll_interval_seconds == 300


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        (
            'poll_interval_seconds = "soon"\n',
            "poll_interval_seconds [BRIEFING_POLL_INTERVAL_SECONDS]",
        ),
        ("no_such_key = 1\n", "no_such_key"),
        ("poll_interval_seconds = \n", "Invalid value"),
        ("min_poll_interval_seconds = 900\n", "must not exceed"),
    ],
)
def test_bad_settings_name_the_key_and_file(tmp_path: Path, toml: str, needle: str) -> None:
    config = tmp_path / "broken.toml"
    config.write_text(toml)
    with pytest.raises(SettingsError) as error:
        load_settings(config)
    assert needle in str(error.value)
    assert str(config) in str(error.value)


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_default_database_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert (
        settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/briefing.db"
    )


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://bot:pw@db:5432/briefing", "postgresql+asyncpg://bot:pw@db:5432/briefing"),
        ("postgres://bot@db/briefing", "postgresql+asyncpg://bot@db/briefing"),
        ("postgresql+psycopg2://bot@db/briefing", "postgresql+asyncpg://bot@db/briefing"),
        ("postgresql+asyncpg://bot@db/briefing", "postgresql+asyncpg://bot@db/briefing"),
        ("sqlite:///data/briefing.db", "sqlite+aiosqlite:///data/briefing.db"),
        ("sqlite:////var/lib/briefing.db", "sqlite+aiosqlite:////var/lib/briefing.db"),
        ("postgresql://bot:p%40ss@db/briefing", "postgresql+asyncpg://bot:p%40ss@db/briefing"),
    ],
)
def test_pasted_database_urls_run_on_the_async_drivers(given: str, used: str) -> None:
    settings = load_settings(database_url=given)
    assert settings.database_url == used
    assert settings.effective_database_url == used


@pytest.mark.parametrize(
    ("given", "needle"),
    [
        ("mysql://bot@db/briefing", "mysql:// is not supported"),
        ("postgresql://bot@db:port/briefing", "not a database URL"),
        ("briefing.db", "not a database URL"),
    ],
)
def test_other_database_urls_are_one_line_naming_the_accepted_forms(
    given: str, needle: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(database_url=given)
    message = str(caught.value)
    assert "\n" not in message
    assert "database_url [BRIEFING_DATABASE_URL]" in message
    assert needle in message
    assert "sqlite:///" in message
