"""The poller feeds its metrics: polls by outcome, errors by kind, articles, cycle duration."""

from __future__ import annotations

from bot.metrics import Metrics
from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.store import Store
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, rss, story
from tests.poller.conftest import POLICY


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


async def test_a_cycle_is_counted(
    http_server: HttpServer, clocked_store: Store, pipeline: Pipeline, clock: Clock
) -> None:
    metrics = Metrics()
    poller = Poller(clocked_store, pipeline, POLICY, clock=clock, concurrency=4, metrics=metrics)
    good = http_server.static("/feed.xml", rss([story(1), story(2)]), etag='"v1"')
    missing = http_server.url("/gone.xml")
    for url in (good, missing):
        feed = await clocked_store.add_feed(url)
        await clocked_store.subscribe(feed.id, 1, 2, mode="instant", added_by=None)

    await poller.run_cycle()
    assert sample(metrics, "briefing_feeds_polled_total", outcome="changed") == 1
    assert sample(metrics, "briefing_feeds_polled_total", outcome="failed") == 1
    assert (
        sum(
            s.value
            for family in metrics.registry.collect()
            if family.name == "briefing_fetch_errors"
            for s in family.samples
            if s.name.endswith("_total")
        )
        == 1
    )
    assert sample(metrics, "briefing_articles_stored_total") == 2
    assert sample(metrics, "briefing_poll_cycle_seconds_count") == 1
    assert metrics.last_cycle_at == clock.now

    clock.advance(minutes=11)
    await poller.run_cycle()
    assert sample(metrics, "briefing_feeds_polled_total", outcome="not_modified") == 1
    assert sample(metrics, "briefing_poll_cycle_seconds_count") == 2
