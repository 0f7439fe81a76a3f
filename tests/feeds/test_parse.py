"""parse_feed on small fixture feeds, one file per behaviour (tests/feeds/data/parse/)."""

from __future__ import annotations

import gzip
import pickle
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.feeds.parse import FeedParseError, parse_feed
from bot.models import Entry

DATA = Path(__file__).parent / "data" / "parse"
URL = "https://feeds.example/dir/feed.xml"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class Prefix(str):
    """Matches any string starting with this one (hash ids are not spelled out)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.startswith(str(self))

    def __hash__(self) -> int:
        return str.__hash__(self)


class Contains(str):
    """Matches any string containing this one."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and str(self) in other

    def __hash__(self) -> int:
        return str.__hash__(self)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *rest: int) -> datetime:
    second, micro = (*rest, 0, 0)[:2]
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@dataclass
class Case:
    """A fixture file, how it is served, what the feed says and what each entry says."""

    file: str
    content_type: str | None = None
    feed: dict[str, Any] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)


CASES = [
    Case(
        "relative_xml_base.atom",
        feed={"format": "atom10", "link": "https://base.example/blog"},
        entries=[
            {
                "link": "https://base.example/blog/posts/one.html",
                "image_url": "https://base.example/blog/img/one.png",
            },
            {"link": "https://other.example/news/two"},
        ],
    ),
    Case(
        "relative_rss.xml",
        feed={"link": "https://feeds.example/", "ttl_seconds": 1800},
        entries=[
            {
                "id": "first",
                "link": "https://feeds.example/news/first-story",
                "image_url": "https://feeds.example/media/first.jpg",
            },
            {"id": "second", "link": "https://feeds.example/dir/second.html"},
        ],
    ),
    Case(
        "missing_guid.xml",
        entries=[
            {"id": "tag:news.example,2024:a", "link": "https://news.example/a"},
            {"id": "https://news.example/b?id=7#comments", "link": "https://news.example/b?id=7"},
            {"id": Prefix("sha256:"), "link": None, "title": "Neither guid nor link"},
            {"id": Prefix("sha256:"), "link": "https://news.example/"},
            {"id": Prefix("sha256:"), "title": "Also links to the home page"},
            {"id": "https://news.example/changelog#v2", "link": "https://news.example/changelog"},
            {"id": "https://news.example/changelog#v1", "link": "https://news.example/changelog"},
        ],
    ),
    Case(
        "duplicate_guid.xml",
        entries=[
            {"id": "story-1", "title": "First copy"},
            {"id": "story-2", "title": "Other story"},
            {"id": "https://dup.example/x", "title": "Same link, no guid"},
        ],
    ),
    Case(
        "html_title.xml",
        feed={"title": "Titles with HTML"},
        entries=[
            {"title": "Bold move by the council"},
            {"title": "AT&T & Verizon’s deal"},
            {"title": "Why 3 < 5 and markup inside CDATA"},
            {"title": "Spread over several lines"},
        ],
    ),
    Case(
        "html_title.atom",
        feed={"title": "Atom titles"},
        entries=[
            {"title": "Café opens & closes"},
            {"title": "An XHTML title"},
            {"title": "Plain <3 text, kept as written"},
        ],
    ),
    Case(
        "entities.xml",
        feed={"title": "Entities – numeric & named"},
        entries=[
            {
                "title": "Don’t panic — it's fine",
                "summary": "Café au lait © 2024 — <tags> stay text.",
            }
        ],
    ),
    Case(
        "content.xml",
        entries=[
            {
                "author": "Ada Lovelace",
                "summary": "A short teaser.",
                "content": "Heading\n\nFirst paragraph, spread over lines.\n\nSecond\nline two"
                "\n\nOne\n\nTwo\n\nClosing link text.",
            },
            {"author": "Grace Hopper", "summary": "Line one.\n\nLine two after a blank line."},
            {"author": None, "summary": "", "content": ""},
        ],
    ),
    Case(
        "images.xml",
        entries=[
            {"image_url": "https://img.example/large.jpg"},
            {"image_url": "https://img.example/clip-thumb.jpg"},
            {"image_url": "https://img.example/cover.png"},
            {"image_url": "https://img.example/episode-art.jpg"},
            {"image_url": "https://feeds.example/inline.jpg", "content": "Text"},
            {"image_url": None},
        ],
    ),
    Case(
        "dates.xml",
        entries=[
            {"published": utc(2024, 4, 30, 6, 15), "published_estimated": False},
            {"published": utc(2024, 4, 30, 13, 15), "published_estimated": False},
            {"published": utc(2024, 4, 30, 11, 15), "published_estimated": False},
            {"published": utc(2024, 4, 29, 22, 42, 40), "published_estimated": False},
            {"published": utc(2024, 4, 16, 23, 38, 15), "published_estimated": False},
            {"published": utc(2024, 3, 3, 9, 5), "published_estimated": False},
            {"title": "Missing", "published": NOW, "published_estimated": True},
            {"title": "Unparseable", "published": NOW, "published_estimated": True},
            {"title": "Far future", "published": NOW, "published_estimated": True},
            {"title": "Epoch zero", "published": NOW, "published_estimated": True},
            {"published": utc(2024, 5, 2, 6), "published_estimated": False},
        ],
    ),
    Case(
        "bozo_recoverable.xml",
        feed={"warning": Prefix("malformed document")},
        entries=[
            {"title": "Fish & chips", "link": "https://broken.example/fish?a=1&b=2"},
            {"title": "Second survives"},
        ],
    ),
    Case(
        "latin1_declared.xml",
        feed={"title": "Ação e coração à noite", "warning": None},
        entries=[{"summary": "Notícias de São Paulo: pão, maçã."}],
    ),
    Case(
        "cp1252_declared.xml",
        feed={"title": "“Smart quotes” cost €5 – really", "warning": None},
        entries=[{"summary": "It’s “fine” … honestly."}],
    ),
    Case(
        "shift_jis_declared.xml",
        feed={"title": "日本語のニュース見出し", "warning": None},
        entries=[{"summary": "東京で新しい技術が発表されました。"}],
    ),
    # warning None: the header's charset was used, nothing had to be guessed.
    Case(
        "latin2_charset_in_content_type.xml",
        content_type="application/rss+xml; charset=ISO-8859-2",
        feed={"title": "Zażółć gęślą jaźń", "warning": None},
        entries=[{"summary": "Łódź, Kraków i Gdańsk świętują."}],
    ),
    Case(
        "utf8_declared_latin1.xml",
        content_type='text/xml; charset="utf-8"',
        feed={"title": "Crème brûlée à Noël", "warning": None},
    ),
    Case(
        "jsonfeed10.json",
        feed={"format": "json10", "title": "JSON Feed 1.0", "link": "https://json10.example/"},
        entries=[
            {
                "id": "https://json10.example/posts/1",
                "link": "https://json10.example/posts/1",
                "title": "First & foremost",
                "author": "Item Author",
                "content": "Plain text.\n\nSecond paragraph.",
                "image_url": "https://json10.example/one.jpg",
                "published": utc(2024, 4, 30, 8),
            },
            {
                "id": "2",
                "link": "https://feeds.example/posts/2",
                "title": "No title here, so the text stands in for one.",
                "author": "Feed Author",
            },
        ],
    ),
    Case(
        "jsonfeed11.json",
        feed={"format": "json11", "warning": Prefix("1 JSON Feed items were not objects")},
        entries=[
            {
                "author": "Ann, Bob",
                "summary": "A summary.",
                "content": "Rich HTML body.\n\nSecond.",
                "image_url": "https://json11.example/banner.jpg",
                "published": utc(2024, 4, 30, 10),
            },
            {
                "link": "https://elsewhere.example/story",
                "image_url": "https://json11.example/a2.png",
                "published": utc(2024, 4, 28, 9, 30, 0, 123456),
            },
            {"author": "Feed Author", "published": NOW, "published_estimated": True, "link": None},
        ],
    ),
    Case(
        "junk_before_declaration.xml",
        feed={"warning": Contains("bytes of text before the XML ignored")},
        entries=[{"id": "first"}, {"id": "second"}],
    ),
    Case(
        "bom_then_whitespace.xml",
        feed={"warning": None},
        entries=[{"id": "first"}, {"id": "second"}],
    ),
    Case(
        "jsonfeed_bom.json",
        content_type="application/feed+json; charset=utf-8",
        feed={"format": "json10", "warning": None},
        entries=[{"title": "First & foremost"}, {"id": "2"}],
    ),
    Case("rss091.xml", feed={"format": "rss091n"}, entries=[{"id": "https://old.example/1"}]),
    Case(
        "rss10.rdf",
        feed={"format": "rss10"},
        entries=[{"author": "Tim", "published": utc(2024, 4, 30, 10)}],
    ),
]


def _parse(case: Case) -> Any:
    body = (DATA / case.file).read_bytes()
    return parse_feed(body, url=URL, content_type=case.content_type, now=NOW)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.file)
def test_fixture_feed(case: Case) -> None:
    parsed = _parse(case)
    for key, expected in case.feed.items():
        assert getattr(parsed, key) == expected, key
    if case.entries:
        assert len(parsed.entries) == len(case.entries)
    for entry, expected_entry in zip(parsed.entries, case.entries, strict=False):
        actual = {key: getattr(entry, key) for key in expected_entry}
        assert actual == expected_entry


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.file)
def test_entries_are_normalised(case: Case) -> None:
    parsed = _parse(case)
    assert parsed.entries
    ids = [entry.id for entry in parsed.entries]
    assert len(ids) == len(set(ids))
    for entry in parsed.entries:
        assert isinstance(entry, Entry)
        assert entry.id
        assert entry.published.utcoffset() is not None
        assert entry.published.tzinfo == UTC


@pytest.mark.parametrize(
    ("file", "content_type", "kind", "message"),
    [
        ("empty.xml", None, "empty", "empty document"),
        ("whitespace_only.xml", "application/rss+xml", "empty", "empty document"),
        ("not_a_feed.html", "text/html; charset=utf-8", "html", "HTML page"),
        ("unknown_root.xml", "application/xml", "not_a_feed", "no RSS, Atom or JSON Feed"),
        ("jsonfeed_invalid.json", "application/feed+json", "json", "invalid JSON"),
        ("jsonfeed_invalid.json", None, "json", "invalid JSON"),
        ("json_not_a_feed.json", "application/json", "json", "not a JSON Feed"),
    ],
)
def test_not_a_feed(file: str, content_type: str | None, kind: str, message: str) -> None:
    body = (DATA / file).read_bytes()
    with pytest.raises(FeedParseError, match=message) as caught:
        parse_feed(body, url=URL, content_type=content_type, now=NOW)
    assert caught.value.kind == kind
    assert caught.value.looks_like_html == (kind == "html")


def test_error_survives_pickling() -> None:
    """The poller parses in worker processes: the error must cross back intact."""
    with pytest.raises(FeedParseError) as caught:
        parse_feed((DATA / "not_a_feed.html").read_bytes(), url=URL)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (type(copy), str(copy), copy.kind) == (FeedParseError, str(caught.value), "html")


def test_result_survives_pickling() -> None:
    parsed = _parse(CASES[0])
    assert pickle.loads(pickle.dumps(parsed)) == parsed


@pytest.mark.parametrize("file", ["relative_rss.xml", "jsonfeed11.json", "cp1252_declared.xml"])
def test_gzip_bytes_are_inflated(file: str) -> None:
    body = (DATA / file).read_bytes()
    plain = parse_feed(body, url=URL, now=NOW)
    assert parse_feed(gzip.compress(body), url=URL, now=NOW) == plain


def test_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"<rss>" + b" " * 5_000_000)
    with pytest.raises(FeedParseError, match="inflates beyond") as caught:
        parse_feed(bomb, url=URL, max_decompressed=1_000_000)
    assert caught.value.kind == "too_large"


def test_corrupt_gzip_is_an_error() -> None:
    with pytest.raises(FeedParseError, match="corrupt gzip"):
        parse_feed(b"\x1f\x8b\x08\x00garbage", url=URL)


def test_whitespace_before_xml_declaration_is_not_malformed() -> None:
    body = b"\n\n  " + (DATA / "relative_rss.xml").read_bytes()
    parsed = parse_feed(body, url=URL, now=NOW)
    assert parsed.warning is None
    assert [entry.id for entry in parsed.entries] == ["first", "second"]


def test_bytes_naming_a_local_file_are_not_opened(tmp_path: Path) -> None:
    """feedparser opens a path given as bytes; parse_feed must only ever parse the bytes."""
    secret = tmp_path / "secret.xml"
    secret.write_bytes((DATA / "relative_rss.xml").read_bytes())
    with pytest.raises(FeedParseError):
        parse_feed(str(secret).encode(), url=URL)


def test_missing_dates_use_now_by_default() -> None:
    before = datetime.now(UTC)
    parsed = parse_feed((DATA / "rss091.xml").read_bytes(), url=URL)
    (entry,) = parsed.entries
    assert entry.published_estimated
    assert before <= entry.published <= datetime.now(UTC)


def test_ids_do_not_depend_on_the_feed_url() -> None:
    """A feed that moves (301) must keep its ids, or every item would be delivered again."""
    body = (DATA / "duplicate_guid.xml").read_bytes()
    here = parse_feed(body, url="http://old.example/rss", now=NOW)
    there = parse_feed(body, url="https://new.example/feed/", now=NOW)
    assert [e.id for e in here.entries] == [e.id for e in there.entries]
