"""Pipeline.prepare over more entries than a chunk or a digest batch: order and pages kept."""

from __future__ import annotations

from dataclasses import replace

from bot.feeds.parse import parse_feed
from bot.pipeline import DIGEST_BATCH, PREPARE_CHUNK, Pipeline
from bot.store import fingerprint
from tests.fixtures.http import HttpServer
from tests.poller.builders import SEED_PAGE_PATH, rss, seed_teaser, story

ENTRIES = PREPARE_CHUNK * 2 + DIGEST_BATCH + 7  # several chunks, a partial batch in each


async def test_prepare_keeps_order_and_fetches_each_teasers_page(
    http_server: HttpServer, pipeline: Pipeline
) -> None:
    teaser = seed_teaser(http_server)
    items = [
        replace(teaser, guid=f"t{n}", title=f"Teaser {n}") if n % 17 == 0 else story(n, words=40)
        for n in range(ENTRIES)
    ]
    entries = parse_feed(rss(items).encode(), url=http_server.url("/feed.xml")).entries
    assert len(entries) == ENTRIES

    articles = await pipeline.prepare(entries)

    assert [a.entry.id for a in articles] == [e.id for e in entries]
    teasers = [a for a in articles if a.entry.title.startswith("Teaser")]
    assert len(teasers) == len(range(0, ENTRIES, 17))
    assert {a.text_source for a in teasers} == {"page"}
    assert all("withdraw" in a.text for a in teasers)
    others = [a for a in articles if not a.entry.title.startswith("Teaser")]
    assert {a.text_source for a in others} == {"feed"}
    assert all(a.digest and a.digest.key_points for a in others)
    pages = http_server.requests_to(SEED_PAGE_PATH)
    assert len(pages) == len(teasers)  # one fetch per teaser, none for full-text entries


async def test_without_pages_nothing_is_fetched(
    http_server: HttpServer, pipeline: Pipeline
) -> None:
    teaser = seed_teaser(http_server)
    items = [replace(teaser, guid=f"t{n}", title=f"Teaser {n}") for n in range(60)]
    entries = parse_feed(rss(items).encode(), url=http_server.url("/feed.xml")).entries

    articles = await pipeline.prepare(entries, fetch_pages=False)

    assert [a.entry.id for a in articles] == [e.id for e in entries]
    assert {a.text_source for a in articles} == {"feed"}
    assert http_server.requests == []


async def test_prepared_articles_carry_the_fingerprint_the_store_would_compute(
    http_server: HttpServer, pipeline: Pipeline
) -> None:
    """Fingerprinted in the worker; a text too short to identify a story carries none."""
    teaser = seed_teaser(http_server)
    items = [teaser, story(1, words=40), replace(story(2), description="Too short.")]
    entries = parse_feed(rss(items).encode(), url=http_server.url("/feed.xml")).entries

    articles = await pipeline.prepare(entries)

    page, full, short = articles
    assert page.text_source == "page"  # fingerprinted from the page's text, not the teaser
    for article in (page, full):
        expected = fingerprint(article.entry.title, article.text)
        assert expected is not None
        assert article.extra["fingerprint"] == expected
    assert fingerprint(short.entry.title, short.text) is None
    assert "fingerprint" not in short.extra
