"""A first poll's backlog is stored undigested (searchable), and its digests are kept once made."""

from __future__ import annotations

from dataclasses import replace

from bot.models import Article
from bot.store import Store
from tests.store.factory import article, digest


def _undigested(entry_id: str, text: str | None = None) -> Article:
    made = article(entry_id, text=text)
    return replace(made, digest=None)


async def _feed(store: Store) -> int:
    return (await store.add_feed("https://a.example/feed")).id


async def test_a_backlog_item_is_stored_without_digest_and_found_by_search(store: Store) -> None:
    feed = await _feed(store)
    item = _undigested("old-1", "The harbour crane was repaired overnight by the port workers.")
    await store.store_articles(feed, [item, article("new-1")], deliver=False)

    rows = {r.title: r for r in await store.recent_articles(None, feed_id=feed)}
    assert rows["Story old-1"].digest is None
    assert rows["Story old-1"].language == "und"  # told by its digest, once made
    assert rows["Story new-1"].digest == digest(article("new-1").text)
    hits = await store.search_articles("harbour crane")
    assert [h.title for h in hits] == ["Story old-1"]
    found, _ = await store.undigested_articles()
    assert [a.title for a in found] == ["Story old-1"]


async def test_a_made_digest_is_stored_once_and_only_for_the_text_it_was_made_from(
    store: Store,
) -> None:
    feed = await _feed(store)
    item = _undigested("old-1")
    await store.store_articles(feed, [item], deliver=False)
    [row] = await store.recent_articles(None, feed_id=feed)

    await store.save_digests([(row.id, "some other text", digest("Stale. Text."))])
    assert (await store.get_article(row.id)) == row  # the text changed: nothing stored

    made = replace(digest(row.text), language="fr")
    await store.save_digests([(row.id, row.text, made)])
    stored = await store.get_article(row.id)
    assert stored is not None
    assert (stored.digest, stored.language) == (made, "fr")
    assert (await store.undigested_articles())[0] == []

    await store.save_digests([(row.id, row.text, digest("A later. Second one."))])
    again = await store.get_article(row.id)
    assert again is not None
    assert again.digest == made  # one digest per article: a late second is not written


async def test_the_scan_goes_on_from_where_it_stopped(store: Store) -> None:
    feed = await _feed(store)
    items = [_undigested(f"old-{n}") for n in range(5)]
    await store.store_articles(feed, [*items, article("new-1")], deliver=False)

    first, after = await store.undigested_articles(limit=2)
    second, after = await store.undigested_articles(after=after, limit=2)
    third, after = await store.undigested_articles(after=after, limit=2)
    seen = [a.title for a in (*first, *second, *third)]
    assert sorted(seen) == sorted(f"Story old-{n}" for n in range(5))
    assert (await store.undigested_articles(after=after))[0] == []
    newest = max(r.id for r in await store.recent_articles(None, feed_id=feed))
    assert after == newest  # scanned to the end: the next scan starts after it
