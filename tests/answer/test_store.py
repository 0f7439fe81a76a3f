"""/ask from a real store (SQLite and PostgreSQL): the full-text index picks the candidates, the
analyses stored in the database are ranked, and the window counts stored time as well."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.answer import Answer, AnswerEngine
from bot.models import Article
from bot.store import Store
from bot.store.budget import plan
from bot.store.rows import AnswerDocRow
from tests.answer.conftest import Clock, followed_feed, store_analyses_without_postings
from tests.answer.pools import ARTICLES, SEED_TITLE
from tests.conftest import SEED_ARTICLE
from tests.store.factory import T0, article, hours

QUESTION = "What will Russia keep in Syria?"


def _seed(entry_id: str = "s", published: datetime = T0) -> Article:
    return article(entry_id, title=SEED_TITLE, text=SEED_ARTICLE.read_text(), published=published)


async def test_catch_up_stores_analyses_that_another_process_answers_from(store: Store) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    title, text = ARTICLES["chess"]
    await store.store_articles(feed, [article("c", title=title, text=text)], deliver=False)
    writer = AnswerEngine()
    assert await writer.catch_up(store) == 1
    assert await writer.catch_up(store) == 0
    await store.store_articles(feed, [_seed(published=T0 + hours(1))], deliver=False)
    assert await writer.catch_up(store) == 1
    assert await store.answer_doc_count() == 2

    reader = AnswerEngine()  # a fresh process: nothing in memory, everything in the database
    (first, *_) = await reader.ask(store, QUESTION, guild_id=1, now=T0 + hours(2))
    assert "naval facility and airbase" in first.text
    assert first.article.link == "https://news.example/s"
    assert first.article.published == T0 + hours(1)
    assert len(reader.index) == 0  # no per-process copy of the archive


async def test_analyses_stored_with_the_old_stems_are_made_again_after_the_upgrade(
    database_url: str,
) -> None:
    old = await Store.open(database_url, migrate_to="0013")
    try:
        feed = await followed_feed(old, "https://a.example/feed", 1)
        await old.store_articles(feed, [_seed()], deliver=False)
        await store_analyses_without_postings(old)
    finally:
        await old.close()
    upgraded = await Store.open(database_url)  # 0014: the old analyses are gone
    try:
        assert await upgraded.answer_doc_count() == 0
        assert await AnswerEngine().catch_up(upgraded) == 1  # the catch-up starts over
        (first, *_) = await AnswerEngine().ask(upgraded, QUESTION, guild_id=1, now=T0)
        assert "naval facility and airbase" in first.text
    finally:
        await upgraded.close()


async def test_stored_and_fresh_analyses_give_the_same_answers(store: Store) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    items = [article(k, title=t, text=x) for k, (t, x) in ARTICLES.items()]
    await store.store_articles(feed, [*items, _seed()], deliver=False)
    fresh = AnswerEngine()  # nothing stored yet: analysed at question time
    questions = [QUESTION, "When will the bridge open?", "Who won the chess title?"]
    before = [_cited(await fresh.ask(store, q, guild_id=1, now=T0)) for q in questions]
    await AnswerEngine().catch_up(store)
    after = [_cited(await AnswerEngine().ask(store, q, guild_id=1, now=T0)) for q in questions]
    assert after == before  # salience is stored to 4 decimals: the same sentences, same order
    assert all(answers for answers in after)


def _cited(answers: list[Answer]) -> list[tuple[str, object, int, int, int]]:
    return [(a.text, a.article, a.sentence, a.start, a.end) for a in answers]


async def test_a_changed_text_is_not_answered_from_its_old_analysis(store: Store) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    await store.store_articles(feed, [_seed()], deliver=False)
    await AnswerEngine().catch_up(store)
    (row,) = await store.recent_articles(1)
    # An analysis of other text stored under the seed's id: its offsets no longer fit.
    # Its postings still right: the article is found, then analysed afresh.
    found = AnswerEngine().stored_row(row.id, row.title, row.text)
    stale = AnswerDocRow(row.id, "0" * 16, '{"s":[[0,5,0,0,0]]}', found.length, found.terms)
    await store.save_answer_docs([stale])
    (first, *_) = await AnswerEngine().ask(store, QUESTION, guild_id=1, now=T0)
    assert "naval facility and airbase" in first.text


async def test_ask_answers_from_the_guilds_window_only(store: Store) -> None:
    mine = await followed_feed(store, "https://a.example/feed", 1)
    theirs = await followed_feed(store, "https://b.example/feed", 2)
    await store.store_articles(theirs, [_seed()], deliver=False)
    title, text = ARTICLES["harbour"]
    await store.store_articles(mine, [article("h", title=title, text=text)], deliver=False)
    engine = AnswerEngine()
    now = T0 + hours(2)
    assert await engine.ask(store, QUESTION, guild_id=1, now=now) == []
    found = await engine.ask(store, QUESTION, guild_id=2, now=now)
    assert "naval facility" in found[0].text
    assert await engine.ask(store, QUESTION, guild_id=2, feed_id=mine, now=now) == []
    later = now + timedelta(days=8)
    assert await engine.ask(store, QUESTION, guild_id=2, now=later) == []
    assert await engine.ask(store, QUESTION, guild_id=2, now=later, days=9)
    bridge = await engine.ask(store, "When will the bridge open?", guild_id=1, now=now, top=1)
    assert len(bridge) == 1
    assert "2029" in bridge[0].text


async def test_an_old_article_stored_just_now_is_recent(store: Store, clock: Clock) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    clock.now = T0 + timedelta(days=30)  # stored today, published in 2018
    await store.store_articles(
        feed, [_seed(published=datetime(2018, 3, 1, tzinfo=UTC))], deliver=False
    )
    engine = AnswerEngine()
    (first, *_) = await engine.ask(store, QUESTION, guild_id=1, now=clock.now + hours(1))
    assert "naval facility" in first.text
    hits = await store.search_articles("withdrawal", guild_id=1, since=clock.now - hours(1))
    assert [hit.title for hit in hits] == [SEED_TITLE]
    assert await engine.ask(store, QUESTION, guild_id=1, now=clock.now + timedelta(days=8)) == []


async def test_nothing_relevant_when_nothing_is(store: Store) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    items = [article(k, title=t, text=x) for k, (t, x) in ARTICLES.items()]
    await store.store_articles(feed, [*items, _seed()], deliver=False)
    await AnswerEngine().catch_up(store)
    engine = AnswerEngine()
    for question in (
        "How fast can a cheetah run?",
        "Who painted the Mona Lisa?",
        "What is the boiling point of mercury?",
        "?!",
        "",
    ):
        assert await engine.ask(store, question, guild_id=1, now=T0) == [], question


async def test_the_answer_is_found_among_more_matches_than_candidates(store: Store) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    engine = AnswerEngine(candidates=5)
    noise = [
        article(
            f"n{i}",
            title=f"Syria talks, round {i}",
            text=f"Diplomats met again about Syria in round {i}. Turkey sent observers. "
            f"Nothing was agreed about the ceasefire in Syria, officials said.",
        )
        for i in range(40)  # eight times the candidate set, each matching a word of the question
    ]
    await store.store_articles(feed, [*noise, _seed()], deliver=False)
    await engine.catch_up(store)
    (first, *_) = await engine.ask(store, QUESTION, guild_id=1, now=T0)
    assert "naval facility and airbase" in first.text


async def test_a_rarer_word_weighs_more_in_the_first_stage(store: Store) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    rare = article("z", title="Park notes", text="Keepers counted one zebra at the park today.")
    common = [
        article(f"g{i}", title="Park notes", text=f"Keepers counted one giraffe at park {i}.")
        for i in range(12)  # newer, as long, each holding the commoner word once
    ]
    await store.store_articles(feed, [rare], deliver=False)
    await store.store_articles(feed, common, deliver=False)
    await _analyze(store)
    found = await store.answer_candidates(["giraffe", "zebra"], guild_id=1, limit=3)
    assert "zebra" in found[0].text


async def test_sources_show_the_guilds_own_feed_item(store: Store) -> None:
    first_feed = await followed_feed(store, "https://a.example/feed", 1)
    own = await followed_feed(store, "https://b.example/feed", 2)
    await store.store_articles(first_feed, [_seed()], deliver=False)
    again = article(
        "s", title="Russia to pull most troops out of Syria", text=SEED_ARTICLE.read_text()
    )
    await store.store_articles(own, [again], deliver=False)
    await AnswerEngine().catch_up(store)
    (answer, *_) = await AnswerEngine().ask(store, QUESTION, guild_id=2, now=T0)
    assert answer.article.title == "Russia to pull most troops out of Syria"
    (answer, *_) = await AnswerEngine().ask(store, QUESTION, guild_id=1, now=T0)
    assert answer.article.title == SEED_TITLE


async def test_words_most_articles_hold_do_not_crowd_out_the_answer(store: Store) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    noise = [
        article(
            f"n{i}",
            title=f"Syria update {i}",
            text=f"Aid convoys reached Syria on day {i} of the truce. Syria said more would come. "
            f"Observers will keep counting the trucks in Syria.",
        )
        for i in range(60)  # "Syria" and "keep" in more articles than the budget below
    ]
    await store.store_articles(feed, noise, deliver=False)
    await store.store_articles(feed, [_seed()], deliver=False)
    await _analyze(store)
    postgres = store._db.is_postgres
    async with store._db.read() as conn:  # the first stage asks the index for the rare word only
        found = await plan(
            conn, ["russia", "keep", "syria", "cheetah"], budget=20, postgres=postgres
        )
    # PostgreSQL's statistics tell common words, not absent ones: "cheetah" counts as rare.
    assert sorted(found.terms) == (["cheetah", "russia"] if postgres else ["russia"])
    assert found.floor is None
    assert found.complete is postgres
    engine = AnswerEngine(candidates=5)
    await engine.catch_up(store)
    (first, *_) = await engine.ask(store, QUESTION, guild_id=1, now=T0)
    assert "naval facility and airbase" in first.text
    hits = await store.search_articles("syria withdrawal cheetah", guild_id=1, budget=20)
    assert [hit.title for hit in hits][:1] == [SEED_TITLE]


async def test_only_common_words_rank_their_newest_matches_within_the_budget(store: Store) -> None:
    feed = await followed_feed(store, "https://a.example/feed", 1)
    await store.store_articles(feed, [_seed()], deliver=False)
    noise = [
        article(f"n{i}", title=f"Syria update {i}", text=f"Syria will keep the truce, day {i}.")
        for i in range(30)
    ]
    await store.store_articles(feed, noise, deliver=False)
    await _analyze(store)
    async with store._db.read() as conn:
        found = await plan(conn, ["keep", "syria"], budget=10, postgres=store._db.is_postgres)
    newest = [row.id for row in await store.articles_after(0, limit=100)][-10:]
    assert found.terms == ["keep"]
    if store._db.is_postgres:  # from the statistics' share: about the ten newest, then 10 at most
        assert 0 < found.floors[0] <= newest[0]
        assert found.cap == 10
    else:
        assert found.floor == newest[0]  # ranked: the ten newest articles holding "keep"
    found_ids = await store.answer_candidates(["keep", "syria"], limit=50, budget=10)
    assert sorted(c.id for c in found_ids) == newest
    engine = AnswerEngine(candidates=5)
    await engine.catch_up(store)
    # The rarest word still picks candidates, and nothing unrelated is quoted.
    assert await engine.ask(store, "Will Syria keep it?", guild_id=1, now=T0) != []
    assert await engine.ask(store, "Syria cheetah zoo?", guild_id=1, now=T0) == []
    hits = await store.search_articles("syria keep", budget=10, limit=50)
    assert sorted(hit.article_id for hit in hits) == newest


async def test_a_word_counts_its_other_spellings_matches_within_the_budget(store: Store) -> None:
    # "colour" is asked for as "colour" or "color": the 30 articles writing "color" are its
    # matches, so the budget keeps to their newest, as for any common word.
    feed = await followed_feed(store, "https://a.example/feed", 1)
    noise = [
        article(f"c{i}", title=f"Parade {i}", text=f"The color guard marched on day {i}.")
        for i in range(30)
    ]
    await store.store_articles(feed, noise, deliver=False)
    await _analyze(store)
    async with store._db.read() as conn:
        found = await plan(conn, ["colour"], budget=10, postgres=store._db.is_postgres)
    newest = [row.id for row in await store.articles_after(0, limit=100)][-10:]
    assert found.terms == ["colour"]
    if store._db.is_postgres:  # the share of "color" in the statistics: about the ten newest
        assert 0 < found.floors[0] <= newest[0]
    else:
        assert found.floor == newest[0]
    hits = await store.search_articles("colour", budget=10, limit=50)
    assert sorted(hit.article_id for hit in hits) == newest


async def _analyze(store: Store) -> None:
    """What autovacuum does after many new rows: PostgreSQL's counts are its statistics."""
    if store._db.is_postgres:
        async with store._db.write() as conn:
            await conn.execute(text("ANALYZE articles"))
