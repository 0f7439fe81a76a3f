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
