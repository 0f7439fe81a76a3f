"""A feed's own item is what its subscribers see: another feed carrying the same link never
chooses their words; only what Briefing fetched from the page itself is shared."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.models import Article
from bot.store import ArticleRow, Store
from tests.store.factory import article, digest

LINK = "https://news.example/shared"
PAGE_TEXT = (
    "The council approved the new bridge on Monday. Work starts in spring and should last two "
    "years, the mayor said, adding that traffic will be diverted during the works."
)


def _item(entry_id: str, title: str, body: str, *, source: str = "feed") -> Article:
    base = article(entry_id, title=title, link=LINK, text=body)
    entry = replace(base.entry, summary=body[:60])
    return replace(base, entry=entry, text=body, digest=digest(body), text_source=source)


HONEST = _item(
    "honest-1",
    "A normal item",
    "A normal item about the bridge vote. The council met on Monday and voted for the plan.",
)
HOSTILE = _item(
    "hostile-1",
    "@everyone breaking: the bridge collapsed",
    "@everyone breaking news, click now. Words chosen by another server's admin to mislead.",
)


async def _two_guilds(store: Store) -> tuple[int, int]:
    """Feed A followed in guild 1 (channel 10), feed B in guild 2 (channel 20)."""
    a = await store.add_feed("https://a.example/feed")
    b = await store.add_feed("https://b.example/feed")
    await store.subscribe(a.id, 1, 10, mode="instant", added_by=None)
    await store.subscribe(b.id, 2, 20, mode="instant", added_by=None)
    return a.id, b.id


async def _posted(store: Store) -> dict[int, ArticleRow]:
    rows = await store.claim_pending_deliveries(
        datetime.now(UTC) + timedelta(days=1), limit=10, lease_seconds=60
    )
    return {row.channel_id: row.article for row in rows if row.article is not None}


async def test_each_feed_shows_its_own_item_for_a_shared_link(store: Store) -> None:
    a, b = await _two_guilds(store)
    # The hostile feed stores the link first: before, its words became everyone's article.
    await store.store_articles(b, [HOSTILE], deliver=True)
    await store.store_articles(a, [HONEST], deliver=True)

    posted = await _posted(store)
    honest, hostile = posted[10], posted[20]
    assert honest.title == "A normal item"
    assert "@everyone" not in honest.text
    assert honest.digest is not None
    assert "@everyone" not in " ".join(p.text for p in honest.digest.key_points)
    assert "@everyone" not in honest.summary
    assert hostile.title.startswith("@everyone")
    assert honest.id == hostile.id  # still one story, linked from both feeds

    (newest,) = await store.recent_articles(None, feed_id=a, limit=1)
    assert newest.title == "A normal item"
    shown = await store.get_article(newest.id, guild_id=1)
    assert shown is not None
    assert shown.title == "A normal item"
    (listed,) = await store.recent_articles(1)
    assert listed.title == "A normal item"
    assert "@everyone" not in listed.text
    hits = await store.search_articles("bridge", guild_id=1)
    assert [hit.title for hit in hits] == ["A normal item"]
    other = await store.get_article(newest.id, guild_id=2)
    assert other is not None
    assert other.title.startswith("@everyone")


async def test_page_text_fetched_by_briefing_is_shared_titles_are_not(store: Store) -> None:
    a, b = await _two_guilds(store)
    first = _item("b-1", "Bridge approved", PAGE_TEXT, source="page")
    second = _item("a-1", "Council says yes to the bridge", PAGE_TEXT, source="page")
    await store.store_articles(b, [first], deliver=True)
    await store.store_articles(a, [second], deliver=True)

    posted = await _posted(store)
    assert posted[10].title == "Council says yes to the bridge"
    assert posted[20].title == "Bridge approved"
    assert posted[10].text == posted[20].text == PAGE_TEXT


async def test_a_feed_text_differing_from_the_shared_one_is_kept_for_that_feed(
    store: Store,
) -> None:
    a, b = await _two_guilds(store)
    await store.store_articles(b, [HOSTILE], deliver=False)
    await store.store_articles(a, [HONEST], deliver=False)
    mine = await store.recent_articles(None, feed_id=a)
    theirs = await store.recent_articles(None, feed_id=b)
    assert [r.text for r in mine] == [HONEST.text]
    assert [r.text for r in theirs] == [HOSTILE.text]
    assert [r.digest and r.digest.tldr for r in mine] == [HONEST.digest and HONEST.digest.tldr]
