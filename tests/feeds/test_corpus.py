"""Every file of the real-world corpus (../shared/feeds/files) parsed from its bytes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.feeds.parse import FeedParseError, parse_feed
from bot.models import ParsedFeed
from tests.feeds.corpus import Expect, check_parsed, corpus_case, corpus_names

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # after every date in the corpus
BASE = "https://corpus.example/feeds/"


@pytest.mark.parametrize("name", corpus_names())
def test_corpus_file(name: str) -> None:
    case = corpus_case(name)
    if case.expect in (Expect.HTML, Expect.NOT_A_FEED):
        with pytest.raises(FeedParseError) as caught:
            parse_feed(case.body, url=BASE + name, now=NOW)
        if case.expect is Expect.HTML:
            assert caught.value.kind == "html"
            assert "HTML page" in str(caught.value)
        return
    check_parsed(parse_feed(case.body, url=BASE + name, now=NOW), case.expect, now=NOW)


def _titles(*expected: str) -> Callable[[ParsedFeed], bool]:
    return lambda feed: [entry.title for entry in feed.entries[: len(expected)]] == list(expected)


def _all_dated(feed: ParsedFeed) -> bool:
    return not any(entry.published_estimated for entry in feed.entries)


# What MANIFEST.md says is special about a file, checked.
SPECIAL: dict[str, Callable[[ParsedFeed], bool]] = {
    "atom_intertwingly.xml": lambda feed: all(
        (entry.link or "").startswith("https://corpus.example/blog/") for entry in feed.entries
    ),
    "atom_entry_only.xml": _titles("Specifications"),
    "enc_koi8r_undeclared.xml": _titles("Как пережить новогоднюю ночь"),
    "enc_shiftjis_undeclared.xml": _titles("DrecomRSSに記事投稿が反映されない…"),
    "enc_windows1255_undeclared.xml": lambda feed: feed.entries[0].title.startswith("האם תדפיס"),
    "enc_big5_undeclared.xml": lambda feed: "中文" in feed.title,
    "enc_euckr_declared.xml": lambda feed: feed.title == "년",
    "rss20_gzip_cp1251_yandex.xml.gz": _titles(
        "В Бузулуке главные стройплощадки – детсад и Ледовый дворец"
    ),
    "rss20_iconv_nonutf8.xml": lambda feed: feed.title.startswith("Новости Оренбурга"),
    "rss20_uol_noticias.xml": lambda feed: (
        _all_dated(feed) and "simulações" in feed.entries[0].title
    ),
    "rss20_ilmessaggero.xml": _all_dated,
    "rss20_guid_dupes.xml": lambda feed: len(feed.entries) == 1,
    # 131 items, one guid twice; every item links to the home page, so ids come from guids.
    "rss20_podcast_itunes_missing_image.xml": lambda feed: len(feed.entries) == 130,
    "rss20_illegally_nested.xml": lambda feed: len(feed.entries) == 10,
    "rss20_podcast_giantbomb_huge.xml": lambda feed: len(feed.entries) == 730,
    # Neither guid nor link: the id is a hash of title and summary.
    "rss091_missing_id.xml": lambda feed: feed.entries[0].id.startswith("sha256:"),
    "rss20_relurl_2.xml": lambda feed: (
        feed.entries[0].link == "https://kryogenix.org/nothing-here-really"
    ),
    "rss20_guardian.xml": lambda feed: all(entry.image_url for entry in feed.entries),
    "jsonfeed11_spec_microblog.json": lambda feed: feed.entries[0].title.startswith(
        "Cats are neat"
    ),
    "rss20_dbengines.xml": lambda feed: feed.warning is not None and len(feed.entries) == 1,
}


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_corpus_specifics(name: str) -> None:
    case = corpus_case(name)
    parsed = parse_feed(case.body, url=BASE + name, now=NOW)
    assert SPECIAL[name](parsed)
