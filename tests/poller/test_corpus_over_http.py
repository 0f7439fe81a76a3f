"""Every real-world corpus feed served over HTTP and read by the pipeline, as the poller does."""

from __future__ import annotations

import pytest

from bot.pipeline import FeedUnavailable, Pipeline
from tests.conftest import shared_path
from tests.feeds.corpus import Expect, corpus_case, corpus_names
from tests.fixtures.http import HttpServer


@pytest.mark.parametrize("name", corpus_names())
async def test_corpus_feed_over_http(
    http_server: HttpServer, pipeline: Pipeline, name: str
) -> None:
    case = corpus_case(name)
    base = http_server.files("/feeds/", shared_path("feeds", "files"))
    url = base + name
    if case.expect in (Expect.HTML, Expect.NOT_A_FEED):
        with pytest.raises(FeedUnavailable) as caught:
            await pipeline.read_feed(url)
        assert caught.value.transient is False
        assert caught.value.kind == "not_a_feed"
        return
    read = await pipeline.read_feed(url)
    assert read.parsed is not None
    assert bool(read.parsed.entries) == (case.expect is Expect.ENTRIES)
    ids = [entry.id for entry in read.parsed.entries]
    assert len(ids) == len(set(ids))
    if read.parsed.entries:
        # Digests are made in a worker process from real entries: each key point cites its text.
        for article in await pipeline.prepare(read.parsed.entries[:2], fetch_pages=False):
            assert article.digest is not None
            for point in article.digest.key_points:
                cited = article.text[point.start : point.end]
                assert " ".join(cited.split()) == " ".join(point.text.split())
