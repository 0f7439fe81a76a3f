"""/ask's postings on a real store (SQLite and PostgreSQL): written with the analyses, counted
exactly through re-analysis, the horizon and retention, past every batch size; read in order;
and when they cannot answer alone (too few in the guild's window, articles not analysed yet),
the full-text index still finds the answer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.answer import AnswerEngine
from bot.digest.stem import stem
from bot.store import Store
from bot.store import postings as store_postings
from bot.store.base import CHUNK
from tests.answer.conftest import (
    Clock,
    counts_match_postings,
    filler_articles,
    followed_feed,
    seed_article,
    store_analyses_without_postings,
)
from tests.answer.pools import SEED_TITLE
from tests.store.factory import T0, article, hours

QUESTION = "What will Russia keep in Syria?"


async def test_counts_stay_exact_through_reanalysis_the_horizon_and_retention(
    store: Store, clock: Clock
) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    # First (the lowest id), an article its feed dates 43 hours ahead: kept past the horizon
    # while its date is within it, ahead of every batch the pruning reads.
    text = "The harbour of the old town reopened on Monday after the storm."
    ahead = article("ahead", title="Harbour reopens", text=text, published=T0 + hours(43))
    await store.store_articles(feed, [ahead], deliver=False)
    await store.store_articles(feed, filler_articles(CHUNK + 120, "a"), deliver=False)
    engine = AnswerEngine()
    assert await engine.catch_up(store) == CHUNK + 121  # more than a batch of postings
    articles, postings = await counts_match_postings(store)
    assert articles == CHUNK + 121
    assert postings > articles

    # The same articles analysed again (two processes' catch-ups overlapping): no double count.
    rows = await store.articles_after(0, limit=CHUNK + 121)
    await store.save_answer_docs([engine.stored_row(r.id, r.title, r.text) for r in rows[:300]])
    assert (await counts_match_postings(store))[0] == CHUNK + 121

    # Nine days on, new articles arrive: the old ones' postings go, more than a batch of them,
    # but for the one dated ahead.
    clock.now = T0 + timedelta(days=9)
    await store.store_articles(feed, [*filler_articles(5, "b"), seed_article()], deliver=False)
    assert await engine.catch_up(store) == 6
    articles, _ = await counts_match_postings(store)
    assert articles == 7
    # The old articles analysed again (as after an upgrade): no postings past the horizon.
    await store.save_answer_docs([engine.stored_row(r.id, r.title, r.text) for r in rows[:50]])
    assert (await counts_match_postings(store))[0] == 7
    (first, *_) = await engine.ask(store, QUESTION, guild_id=1, now=clock.now)
    assert "naval facility and airbase" in first.text

    # Retention strips the rest (a horizon longer than retention): nothing left to find.
    clock.now = T0 + timedelta(days=10)
    assert await store.prune(timedelta(hours=1), compact=False) == CHUNK + 127
    assert await counts_match_postings(store) == (0, 0)


async def test_concurrent_writers_of_the_same_articles_keep_counts_exact(
    database_url: str, clock: Clock
) -> None:
    stores = [await Store.open(database_url, clock=clock) for _ in range(3)]
    try:
        feed = await followed_feed(stores[0], "https://a.example/feed", 1)
        await stores[0].store_articles(feed, filler_articles(200, "c"), deliver=False)
        rows = await stores[0].articles_after(0, limit=200)
        engine = AnswerEngine()
        docs = [engine.stored_row(r.id, r.title, r.text) for r in rows]
        # Overlapping batches from three processes at once.
        await asyncio.gather(
            stores[0].save_answer_docs(docs[:150]),
            stores[1].save_answer_docs(docs[50:]),
            stores[2].save_answer_docs(docs[::-1]),
        )
        assert (await counts_match_postings(stores[0]))[0] == 200
    finally:
        for opened in stores:
            await opened.close()


async def test_a_stems_best_postings_are_read_best_first_and_say_when_more_exist(
    store: Store,
) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    items = filler_articles(40, "d")
    await store.store_articles(feed, items, deliver=False)
    await AnswerEngine().catch_up(store)
    holding = sum("harbour" in f"{a.entry.title} {a.text}".lower() for a in items)
    harbour = stem("harbour")  # "harbor": the stem holds the American spelling
    async with store._db.read() as conn:
        every, complete = await store_postings.best(conn, [harbour], top=1000)
        few, partial = await store_postings.best(conn, [harbour], top=3)
        none, nothing = await store_postings.best(conn, ["zeppelin"])
    assert complete
    assert len(every) == holding
    assert not partial
    assert len(few) == 3
    assert set(few) <= set(every)
    assert min(every[a] for a in few) >= max(v for a, v in every.items() if a not in few)
    assert none == {}
    assert nothing


async def test_an_article_stored_after_the_last_analysis_is_found(store: Store) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    await store.store_articles(feed, filler_articles(30, "e"), deliver=False)
    await AnswerEngine().catch_up(store)
    await store.store_articles(feed, [seed_article()], deliver=False)  # not analysed yet
    (first, *_) = await AnswerEngine().ask(store, QUESTION, guild_id=1, now=T0 + hours(1))
    assert "naval facility and airbase" in first.text


async def test_the_guilds_article_is_found_behind_more_postings_than_are_read(
    store: Store,
) -> None:
    # Another guild's articles hold the question's words more often than the postings read of
    # each stem: this guild's only article is among none of them, and is still found.
    other = await followed_feed(store, "https://other.example/feed", 2)
    crowd = "Russia will keep its forces in Syria, Russia said. Syria and Russia agreed. " * 3
    many = store_postings.TOP + 20
    await store.store_articles(other, filler_articles(many, "f", about=crowd), deliver=False)
    mine = await followed_feed(store, "https://mine.example/feed", 1)
    await store.store_articles(mine, [seed_article()], deliver=False)
    await AnswerEngine().catch_up(store)
    (seed,) = [r.id for r in await store.articles_after(many, limit=5)]
    async with store._db.read() as conn:
        best, complete = await store_postings.best(conn, ["russia", "syria", "keep"])
    assert not complete
    assert seed not in best
    engine = AnswerEngine()
    found = await store.answer_candidates(
        ["russia", "keep", "syria"],
        stems=["russia", "keep", "syria"],
        guild_id=1,
        since=T0 - timedelta(days=7),
    )
    assert [c.title for c in found] == [SEED_TITLE]
    (first, *_) = await engine.ask(store, QUESTION, guild_id=1, now=T0)
    assert "naval facility and airbase" in first.text


async def test_nothing_relevant_from_the_postings_when_nothing_is(store: Store) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    await store.store_articles(feed, [*filler_articles(30, "g"), seed_article()], deliver=False)
    await AnswerEngine().catch_up(store)
    engine = AnswerEngine()
    assert (
        await engine.ask(store, "Who painted the ceiling of the chapel?", guild_id=1, now=T0) == []
    )
    assert await engine.ask(store, QUESTION, guild_id=2, now=T0) == []  # not this guild's


async def test_the_upgrade_analyses_recent_articles_again_for_their_postings(
    database_url: str,
) -> None:
    now = datetime.now(UTC)
    clock = Clock(now - timedelta(days=30))
    old = await Store.open(database_url, migrate_to="0014", clock=clock)
    try:
        feed = await followed_feed(old, "https://a.example/feed", 1)
        await old.store_articles(feed, filler_articles(3, "h"), deliver=False)  # a month ago
        clock.now = now
        await old.store_articles(feed, [seed_article()], deliver=False)  # today
        await store_analyses_without_postings(old)  # what 0014's catch-up stored
    finally:
        await old.close()
    upgraded = await Store.open(database_url, migrate_to="0015", clock=clock)
    try:
        assert await upgraded.answer_doc_count() == 3  # today's analysis is to be made again
        assert await AnswerEngine().catch_up(upgraded) == 1
        assert (await counts_match_postings(upgraded))[0] == 1
        (first, *_) = await AnswerEngine().ask(upgraded, QUESTION, guild_id=1, now=now)
        assert "naval facility and airbase" in first.text
    finally:
        await upgraded.close()


async def test_a_window_wider_than_the_horizon_finds_articles_without_postings(
    store: Store, clock: Clock
) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    await store.store_articles(feed, [seed_article()], deliver=False)
    engine = AnswerEngine()
    await engine.catch_up(store)
    clock.now = T0 + timedelta(days=20)  # an article arrives: the seed's postings are pruned
    await store.store_articles(feed, filler_articles(1, "w"), deliver=False)
    await engine.catch_up(store)
    assert (await counts_match_postings(store))[0] == 1
    assert await engine.ask(store, QUESTION, guild_id=1, now=clock.now) == []  # 7 days
    (first, *_) = await engine.ask(store, QUESTION, guild_id=1, days=30, now=clock.now)
    assert "naval facility and airbase" in first.text


@pytest.mark.parametrize("analysed", ["when stored", "after its storage left the horizon"])
async def test_an_article_dated_ahead_is_answered_while_its_date_is_in_the_window(
    store: Store, clock: Clock, analysed: str
) -> None:
    # Its feed dates it 43 hours ahead (feeds may, up to two days): 8.5 days after it was
    # stored it is 6.7 days old by its date, inside /ask's week, though stored before the
    # postings' horizon.
    feed = await followed_feed(store, "https://a.example/feed", 1)
    ahead = seed_article("ahead", published=T0 + hours(43))
    await store.store_articles(feed, [ahead], deliver=False)
    engine = AnswerEngine()
    if analysed == "when stored":
        assert await engine.catch_up(store) == 1
    clock.now = T0 + timedelta(days=8, hours=12)
    await store.store_articles(feed, filler_articles(3, "w"), deliver=False)
    await engine.catch_up(store)  # new postings, and the old ones' pruning
    assert (await counts_match_postings(store))[0] == 4
    (first, *_) = await engine.ask(store, QUESTION, guild_id=1, now=clock.now)
    assert "naval facility and airbase" in first.text
    # Once its date has left the horizon too, its postings go.
    clock.now = T0 + timedelta(days=9, hours=20)
    assert await store.prune_postings() == 1
    assert (await counts_match_postings(store))[0] == 3


@pytest.mark.parametrize(
    ("before", "text", "question", "quoted"),
    [
        (  # 0016: terms are folded from now on
            "0015",
            "Beyoncé thanked her mother at the Zürich gala. The gala raised money for schools.",
            "Whom did Beyonce thank at the Zurich gala?",
            "thanked her mother",
        ),
        (  # 0018: "denied" is "deny" from now on (it was stored as "deni")
            "0017",
            "The company denied the charges on Friday. Prosecutors had brought them in March.",
            "Who denies the charges?",
            "denied the charges",
        ),
        (  # 0019: "colour" is "color" from now on (it was stored as written)
            "0018",
            "The defence ministry analysed the colour of the flags. The parade ended at noon.",
            "Who analyzed the color of the flags?",
            "analysed the colour",
        ),
    ],
    ids=["folded terms", "ied stems", "american stems"],
)
async def test_an_upgrade_that_changes_terms_builds_the_answer_index_again(
    database_url: str, before: str, text: str, question: str, quoted: str
) -> None:
    old = await Store.open(database_url, migrate_to=before)
    try:
        feed = await followed_feed(old, "https://a.example/feed", 1)
        story = article("b", title="Night news", text=text)
        await old.store_articles(feed, [story, seed_article()], deliver=False)
        assert await AnswerEngine().catch_up(old) == 2
        assert (await counts_match_postings(old))[0] == 2
    finally:
        await old.close()
    upgraded = await Store.open(database_url)
    try:
        assert await upgraded.answer_doc_count() == 0
        assert await counts_match_postings(upgraded) == (0, 0)
        assert await AnswerEngine().catch_up(upgraded) == 2  # the catch-up starts over
        assert (await counts_match_postings(upgraded))[0] == 2
        (first, *_) = await AnswerEngine().ask(upgraded, question, guild_id=1, now=T0)
        assert quoted in first.text
    finally:
        await upgraded.close()


async def test_past_the_horizon_a_question_spelt_the_other_way_finds_the_article(
    store: Store, clock: Clock
) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    text = (
        "The defence ministry analysed the colour of the flags on Friday. The parade ended at noon."
    )
    await store.store_articles(feed, [article("flags", title="Flag day", text=text)], deliver=False)
    clock.now = T0 + timedelta(days=20)  # past the postings' horizon: the full-text index ranks
    # Its only words the article holds are spelt the other way: the full-text index meets them
    # only when asked for both spellings.
    question = "Who analyzed the color?"
    (first, *_) = await AnswerEngine().ask(store, question, guild_id=1, days=30, now=clock.now)
    assert first.text.startswith("The defence ministry analysed")


@pytest.mark.usefixtures("folds_accents")
async def test_past_the_horizon_a_question_without_accents_finds_an_article_with_them(
    store: Store, clock: Clock
) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    text = (
        "Guðrún Ólafsdóttir conducted the Filharmonia Łódzka in Łódź on Friday. "
        "The hall was full for the first concerto."
    )
    story = article("lodz", title="Concert night", text=text)
    await store.store_articles(feed, [story], deliver=False)
    clock.now = T0 + timedelta(days=20)  # past the postings' horizon: the full-text index ranks
    since = clock.now - timedelta(days=30)
    # The full-text index alone, asked for the two words written here without their accents.
    (found,) = await store.answer_candidates(["gudrun", "lodz"], guild_id=1, since=since)
    assert found.title == "Concert night"
    question = "Who conducted the orchestra in Lodz?"
    (first, *_) = await AnswerEngine().ask(store, question, guild_id=1, days=30, now=clock.now)
    assert first.text.startswith("Guðrún Ólafsdóttir conducted")
