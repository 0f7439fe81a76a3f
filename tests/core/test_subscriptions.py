"""FeedManager over real HTTP (local server), a real pipeline and a real store (SQLite, PG)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.feeds.fetch import Fetcher
from bot.pipeline import Pipeline
from bot.poller import Poller
from bot.schedule import PollPolicy
from bot.store import Store
from bot.subscriptions import (
    AlreadyFollowing,
    FeedManager,
    FeedUnreadable,
    SubscriptionError,
    split_terms,
)
from bot.workers import Workers
from tests.fixtures.http import HttpServer, MakeFetcher
from tests.poller.builders import Item, rss, story

GUILD, OTHER_GUILD, CHANNEL, CHANNEL2 = 10, 11, 100, 200
POLICY = PollPolicy(interval=600, minimum=60, maximum=6 * 3600, jitter=0.0)


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    """Parsing and digests in a thread: enough for these tests, and fast."""
    with Workers(processes=0) as pool:
        yield pool


def make_manager(store: Store, fetcher: Fetcher, workers: Workers) -> FeedManager:
    pipeline = Pipeline(fetcher, workers, teaser_words=150, max_points=3)
    return FeedManager(store, pipeline, Poller(store, pipeline, POLICY))


@pytest.fixture
def manager(store: Store, fetcher: Fetcher, workers: Workers) -> FeedManager:
    return make_manager(store, fetcher, workers)


def feed_of(n: int) -> str:
    return rss([story(k) for k in range(1, n + 1)], title="Example News")


async def test_add_records_the_baseline_subscribes_and_shows_the_newest_item(
    manager: FeedManager, store: Store, http_server: HttpServer
) -> None:
    url = http_server.static("/feed.xml", feed_of(5))
    added = await manager.add(GUILD, CHANNEL, url, added_by=7)
    assert added.title == "Example News"
    assert added.items == 5
    assert added.newest is not None
    assert added.newest.title == "Story number 1"  # the newest (story n is n hours old)
    assert added.newest.digest is not None
    assert added.newest.digest.key_points
    assert added.backfilled == 0
    subs = await store.list_subscriptions(guild_id=GUILD)
    assert [(s.channel_id, s.mode, s.added_by) for s in subs] == [(CHANNEL, "instant", 7)]
    assert await store.list_deliveries() == []  # what the feed held is not posted
    feed = await store.get_feed(added.feed.id)
    assert feed is not None
    assert feed.baseline_done
    assert feed.last_success_at is not None


@pytest.mark.parametrize(("backfill", "expected"), [(0, 0), (2, 2), (20, 5)])
async def test_backfill_queues_the_newest_n(
    manager: FeedManager, store: Store, http_server: HttpServer, backfill: int, expected: int
) -> None:
    url = http_server.static("/feed.xml", feed_of(5))
    added = await manager.add(GUILD, CHANNEL, url, mode="digest", backfill=backfill)
    assert added.backfilled == expected
    rows = await store.list_deliveries(channel_id=CHANNEL)
    assert len(rows) == expected
    assert all(r.kind == "digest" and r.status == "pending" for r in rows)
    titles = {a.title for r in rows if (a := await store.get_article(r.article_id))}
    assert titles == {f"Story number {k}" for k in range(1, expected + 1)}


@pytest.mark.parametrize(
    ("mode", "scheduled", "awaits"),
    [("instant", False, False), ("digest", False, True), ("digest", True, False)],
)
async def test_digest_mode_says_when_the_channel_has_no_schedule_yet(
    manager: FeedManager,
    store: Store,
    http_server: HttpServer,
    *,
    mode: str,
    scheduled: bool,
    awaits: bool,
) -> None:
    if scheduled:
        await store.upsert_schedule(GUILD, CHANNEL, cron="0 7 * * *", timezone="UTC", created_by=1)
    url = http_server.static("/feed.xml", feed_of(1))
    added = await manager.add(GUILD, CHANNEL, url, mode=mode)
    assert added.awaits_schedule is awaits


async def test_same_channel_is_refused_without_fetching_another_channel_is_a_new_subscription(
    manager: FeedManager, store: Store, http_server: HttpServer
) -> None:
    url = http_server.static("/feed.xml", feed_of(2))
    await manager.add(GUILD, CHANNEL, url)
    fetched = len(http_server.requests_to("/feed.xml"))
    with pytest.raises(AlreadyFollowing, match="already receives Example News"):
        await manager.add(GUILD, CHANNEL, url.upper().replace("/FEED.XML", "/feed.xml"))
    assert len(http_server.requests_to("/feed.xml")) == fetched
    second = await manager.add(GUILD, CHANNEL2, url)
    assert second.subscription.channel_id == CHANNEL2
    assert len(await store.list_feeds()) == 1
    assert len(await store.list_subscriptions(guild_id=GUILD)) == 2
    assert await store.list_deliveries() == []


async def test_items_new_since_the_last_poll_go_to_the_channels_already_following(
    manager: FeedManager, store: Store, http_server: HttpServer
) -> None:
    url = http_server.static("/feed.xml", feed_of(2))
    await manager.add(GUILD, CHANNEL, url)
    http_server.static("/feed.xml", rss([story(0), story(1), story(2)], title="Example News"))
    await manager.add(GUILD, CHANNEL2, url)
    rows = await store.list_deliveries()
    assert [r.channel_id for r in rows] == [CHANNEL]


async def test_a_page_advertising_a_feed_is_followed_to_it(
    manager: FeedManager, http_server: HttpServer
) -> None:
    feed_url = http_server.static("/feed.xml", feed_of(1))
    page = f"<html><head><link rel='alternate' type='application/rss+xml' href='{feed_url}'>"
    page_url = http_server.static(
        "/", page + "</head><body>Hi</body></html>", content_type="text/html"
    )
    added = await manager.add(GUILD, CHANNEL, page_url)
    assert added.feed.url == feed_url
    with pytest.raises(AlreadyFollowing):
        await manager.add(GUILD, CHANNEL, feed_url)


@pytest.mark.parametrize(
    ("status", "body", "content_type", "reason"),
    [
        (404, "gone", "text/plain", r"404.*Check the address"),
        (200, "<html><body>No feed here</body></html>", "text/html", "advertises no feed"),
        (200, "just words", "text/plain", r"advertises no feed\)\. Check the address"),
        (503, "busy", "text/plain", r"503.*try again in a while"),
    ],
)
async def test_unreadable_feeds_are_refused_with_the_reason(
    manager: FeedManager,
    store: Store,
    http_server: HttpServer,
    *,
    status: int,
    body: str,
    content_type: str,
    reason: str,
) -> None:
    url = http_server.static("/x", body, status=status, content_type=content_type)
    with pytest.raises(FeedUnreadable, match=reason):
        await manager.add(GUILD, CHANNEL, url)
    assert await store.list_feeds() == []
    assert await store.list_subscriptions() == []


async def test_private_addresses_are_refused_when_not_allowed(
    store: Store, make_fetcher: MakeFetcher, workers: Workers, http_server: HttpServer
) -> None:
    url = http_server.static("/feed.xml", feed_of(1))
    strict = make_manager(store, make_fetcher(allow_private=False), workers)
    with pytest.raises(FeedUnreadable, match="not a public address"):
        await strict.add(GUILD, CHANNEL, url)
    assert await store.list_feeds() == []


async def test_preview_digests_the_newest_items_and_stores_nothing(
    manager: FeedManager, store: Store, http_server: HttpServer
) -> None:
    url = http_server.static("/feed.xml", feed_of(5))
    preview = await manager.preview(url)
    assert preview.title == "Example News"
    assert preview.items == 5
    assert [a.entry.title for a in preview.articles] == [f"Story number {k}" for k in (1, 2, 3)]
    assert all(a.digest and a.digest.key_points for a in preview.articles)
    assert await store.list_feeds() == []
    assert await store.recent_articles(None) == []


async def test_remove_and_resolve_stay_within_the_guild(
    manager: FeedManager, store: Store, http_server: HttpServer
) -> None:
    url = http_server.static("/feed.xml", feed_of(1))
    mine = await manager.add(GUILD, CHANNEL, url)
    theirs = await manager.add(OTHER_GUILD, CHANNEL2, url)
    with pytest.raises(SubscriptionError, match="no feed matching"):
        await manager.remove(GUILD, str(theirs.subscription.id))
    assert [s.id for s in await manager.choices(GUILD, "example")] == [mine.subscription.id]
    removed = await manager.remove(GUILD, "Example News")
    assert removed.id == mine.subscription.id
    assert await manager.subscriptions(GUILD) == []
    assert len(await manager.subscriptions(OTHER_GUILD)) == 1


async def test_filters_are_set_tried_on_recent_articles_and_survive_a_hostile_regex(
    manager: FeedManager, store: Store, http_server: HttpServer
) -> None:
    hostile = Item("evil", "aaaa", "http://example.org/evil", "a" * 5000 + "!")
    url = http_server.static("/feed.xml", rss([story(1), story(2), hostile]))
    added = await manager.add(GUILD, CHANNEL, url)
    ref = str(added.subscription.id)
    result = await manager.set_filters(GUILD, ref, include="Example1, /(a+)+$/", exclude=None)
    assert result.subscription.filters.include == ("Example1", "/(a+)+$/")
    assert (result.sampled, result.accepted) == (3, 1)  # the regex gave up: not a match
    cleared = await manager.set_filters(GUILD, ref, include="-", exclude="Story")
    assert cleared.subscription.filters.include == ()
    assert cleared.accepted == 1  # only the hostile item has no "Story"
    with pytest.raises(SubscriptionError, match="invalid regular expression"):
        await manager.set_filters(GUILD, ref, include="/(unclosed/", exclude=None)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("bank, Rust ,  ", ("bank", "Rust")),
        ("/a{1,3}/, war", ("/a{1,3}/", "war")),
        ("-", ()),
        ("C++, /x/", ("C++", "/x/")),
        ("/open, b", ("/open, b",)),
    ],
)
def test_split_terms(text: str, terms: tuple[str, ...]) -> None:
    assert split_terms(text) == terms
