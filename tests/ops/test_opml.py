"""OPML: reading other readers' files, writing ours, and importing all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.opml import MAX_BYTES, OpmlError, OpmlFeed, import_opml, parse_opml, write_opml
from bot.store import Store
from tests.ops.cli import run_bot
from tests.ops.opml_samples import EXPECTED, FEEDLY, MALFORMED, SAMPLES

GUILD, CHANNEL = 111, 222


def triples(feeds: tuple[OpmlFeed, ...]) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [(f.url, f.title, f.category) for f in feeds]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_reads_what_other_readers_write(name: str) -> None:
    document = parse_opml(SAMPLES[name])
    assert triples(document.feeds) == EXPECTED[name]


def test_leaves_out_what_cannot_be_polled_and_says_why() -> None:
    skipped = dict(parse_opml(SAMPLES["odd"]).skipped)
    assert set(skipped) == {"gopher://example.org/feed", "http://192.168.1.1/feed"}
    assert "only http and https" in skipped["gopher://example.org/feed"]
    allowed = parse_opml(SAMPLES["odd"], allow_private=True)
    assert "http://192.168.1.1/feed" in [f.url for f in allowed.feeds]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_what_we_write_reads_back_the_same(name: str) -> None:
    document = parse_opml(SAMPLES[name])
    written = write_opml(document.feeds)
    assert written.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    again = parse_opml(written)
    assert again.feeds == document.feeds


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_file_is_a_clear_error(case: str) -> None:
    data, message = MALFORMED[case]
    if case == "no feeds":
        assert parse_opml(data).feeds == ()
        return
    with pytest.raises(OpmlError, match=message):
        parse_opml(data)


def test_an_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(OpmlError, match="at most"):
        parse_opml(b" " * (MAX_BYTES + 1))


async def test_import_subscribes_every_feed_in_one_go(store: Store) -> None:
    result = await import_opml(store, FEEDLY, guild_id=GUILD, channel_id=CHANNEL)
    assert (result.feeds, result.feeds_created, result.subscribed) == (3, 3, 3)
    subs = await store.list_subscriptions(channel_id=CHANNEL)
    assert sorted(s.feed_url for s in subs) == sorted(url for url, _, _ in EXPECTED["feedly"])
    assert {s.feed_title for s in subs} == {"Ars Technica", "LWN.net", "BBC News - World"}
    assert all(not f.baseline_done for f in await store.list_feeds())  # polled from scratch

    again = await import_opml(store, SAMPLES["netnewswire"] + b"", guild_id=GUILD, channel_id=7)
    assert again.subscribed == 2
    repeat = await import_opml(store, FEEDLY, guild_id=GUILD, channel_id=CHANNEL)
    assert (repeat.feeds_created, repeat.subscribed, repeat.already_subscribed) == (0, 0, 3)


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_a_malformed_import_changes_nothing(store: Store, case: str) -> None:
    with pytest.raises(OpmlError):
        await import_opml(store, MALFORMED[case][0], guild_id=GUILD, channel_id=CHANNEL)
    assert await store.list_feeds() == []
    assert await store.list_subscriptions() == []


def test_command_line_round_trip(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "briefing.toml").write_text(
        f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8"
    )
    source = tmp_path / "feedly.opml"
    source.write_bytes(FEEDLY)
    imported = run_bot(
        tmp_path, "opml", "import", str(source), "--guild", str(GUILD), "--channel", "5"
    )
    assert imported.code == 0, imported.text
    assert "3 feeds in" in imported.out
    assert "3 subscribed" in imported.out

    broken = tmp_path / "broken.opml"
    broken.write_bytes(MALFORMED["truncated"][0])
    failed = run_bot(tmp_path, "opml", "import", str(broken), "--guild", "1", "--channel", "6")
    assert failed.code == 1
    assert "not well-formed XML" in failed.err
    assert "nothing imported" in failed.err

    exported = run_bot(tmp_path, "opml", "export", "-", "--guild", str(GUILD))
    assert exported.code == 0, exported.text
    feeds = parse_opml(exported.out.encode("utf-8")).feeds
    assert sorted(f.url for f in feeds) == sorted(url for url, _, _ in EXPECTED["feedly"])
    everything = run_bot(tmp_path, "opml", "export", str(tmp_path / "all.opml"))
    assert everything.code == 0, everything.text
    assert len(parse_opml((tmp_path / "all.opml").read_bytes()).feeds) == 3
