"""Full-text search: finds by words, survives hostile input, respects scope, favours fresh news."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from string import ascii_lowercase

import pytest

from bot.answer import AnswerEngine
from bot.digest.fold import fold
from bot.store import Store, query_terms
from tests.store.factory import article

NOW = datetime.now(UTC)

STORIES = [
    article(
        "syria",
        title="Russia begins withdrawal from Syria",
        text="Moscow will keep its naval facility in Tartus, plus the Hmeimim airbase, officials "
        "said.",
        published=NOW - timedelta(days=1),
    ),
    article(
        "rates",
        title="Central bank holds rates",
        text="The central bank kept interest rates unchanged, citing stubborn inflation.",
        published=NOW - timedelta(days=2),
    ),
    article(
        "cafe",
        title="Café opens downtown",
        text="A new café serves crème brûlée to early risers by the station.",
        published=NOW - timedelta(days=3),
    ),
]


@pytest.fixture
async def searchable(store: Store) -> Store:
    """A store holding STORIES in feed A (guild 1)."""
    feed = await store.add_feed("https://a.example/feed")
    await store.subscribe(feed.id, 1, 10, mode="instant", added_by=None)
    await store.store_articles(feed.id, STORIES, deliver=False)
    return store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("withdrawal", ["syria"]),  # title
        ("naval airbase", ["syria"]),  # text, every word
        ("withdraw", ["syria"]),  # stemmed
        ("INTEREST Rates", ["rates"]),  # case
        ("Café CRÈME", ["cafe"]),
        ("airbase inflation", ["syria", "rates"]),  # no article has both: any word
        ("elephants", []),
    ],
)
async def test_search_finds_by_words(searchable: Store, query: str, expected: list[str]) -> None:
    hits = await searchable.search_articles(query)
    assert sorted(str(h.url) for h in hits) == sorted(
        f"https://news.example/{key}" for key in expected
    )
    assert all(h.score >= h.relevance > 0 for h in hits)


SPELT = [
    article(
        "uk",
        title="Defence budget cut",
        text="The defence ministry analysed the colour of the flags.",
        published=NOW - timedelta(days=1),
    ),
    article(
        "us",
        title="Defense budget grows",
        text="The program was canceled in the fall, the Pentagon said.",
        published=NOW - timedelta(days=2),
    ),
    article(
        "schools",
        title="School budget frozen",
        text="The council froze the school budget until March.",
        published=NOW - timedelta(days=3),
    ),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("defense budget", ["uk", "us"]),  # every word, each in either spelling
        ("defence budget", ["uk", "us"]),
        ("color", ["uk"]),
        ("programme", ["us"]),
        ("color xylophone", ["uk"]),  # no article has both: any word
    ],
)
async def test_search_finds_a_word_in_either_spelling(
    store: Store, query: str, expected: list[str]
) -> None:
    feed = await store.add_feed("https://a.example/feed")
    await store.store_articles(feed.id, SPELT, deliver=False)
    hits = await store.search_articles(query)
    assert sorted(str(h.url) for h in hits) == [f"https://news.example/{k}" for k in expected]


HOSTILE = [
    "",
    "   ",
    '"',
    '"unbalanced',
    "*",
    "rates*",
    "NEAR(",
    "NEAR(rates bank",
    "AND OR",
    "rates AND OR NOT",
    "((rates",
    "rates))",
    "title:rates",
    "-rates",
    "^rates",
    "rates & | ! <->",
    "'; DROP TABLE articles; --",
    "\x00",
    "_",
    "🙂",
    "a" * 5000,
    " ".join(["word"] * 500),
]


@pytest.mark.parametrize("query", HOSTILE)
async def test_hostile_queries_never_raise(searchable: Store, query: str) -> None:
    hits = await searchable.search_articles(query, guild_id=1)
    expected = ["https://news.example/rates"] if "rates" in query else []
    assert [h.url for h in hits] == expected
    assert len(await searchable.recent_articles(None)) == 3  # nothing was dropped


async def test_search_respects_guild_feed_and_since(searchable: Store) -> None:
    other = await searchable.add_feed("https://b.example/feed")
    await searchable.subscribe(other.id, 2, 20, mode="instant", added_by=None)
    late = article("late", title="Rates rise again", published=NOW)
    await searchable.store_articles(other.id, [late], deliver=False)

    def urls(hits: list) -> list[str]:  # type: ignore[type-arg]
        return [h.url.rsplit("/", 1)[1] for h in hits]

    assert sorted(urls(await searchable.search_articles("rates"))) == ["late", "rates"]
    assert urls(await searchable.search_articles("rates", guild_id=1)) == ["rates"]
    assert urls(await searchable.search_articles("rates", guild_id=2)) == ["late"]
    assert urls(await searchable.search_articles("rates", guild_id=3)) == []
    assert urls(await searchable.search_articles("rates", feed_id=other.id)) == ["late"]
    # Both were stored just now: the window counts stored time as well as publication.
    since = NOW - timedelta(hours=1)
    assert sorted(urls(await searchable.search_articles("rates", since=since))) == ["late", "rates"]
    assert len(await searchable.search_articles("rates", limit=1)) == 1


async def test_the_window_counts_publication_or_storage(database_url: str) -> None:
    stored_at = [NOW - timedelta(days=40)]
    store = await Store.open(database_url, clock=lambda: stored_at[0])
    try:
        feed = await store.add_feed("https://a.example/feed")
        old = article("old", title="Rates rise in spring", published=NOW - timedelta(days=41))
        await store.store_articles(feed.id, [old], deliver=False)
        stored_at[0] = NOW - timedelta(days=40)
        fresh = article("fresh", title="Rates fall in summer", published=NOW - timedelta(days=2))
        stored_at[0] = NOW - timedelta(minutes=1)
        ancient = article(
            "ancient", title="Rates in 2018", published=datetime(2018, 1, 1, tzinfo=UTC)
        )
        await store.store_articles(feed.id, [fresh, ancient], deliver=False)
        hits = await store.search_articles("rates", since=NOW - timedelta(days=7))
        assert sorted(h.title for h in hits) == ["Rates fall in summer", "Rates in 2018"]
        assert len(await store.search_articles("rates", since=NOW - timedelta(days=60))) == 3
    finally:
        await store.close()


async def test_fresher_articles_rank_higher_when_equally_relevant(store: Store) -> None:
    feed = await store.add_feed("https://a.example/feed")
    text = "Storm warning issued for the coast {0}. {0} only. Stay inside {0}."
    old = article(
        "old",
        title="Storm warning",
        text=text.format("tonight"),
        published=NOW - timedelta(days=30),
    )
    new = article("new", title="Storm warning", text=text.format("today"), published=NOW)
    await store.store_articles(feed.id, [old, new], deliver=False)
    hits = await store.search_articles("storm warning")
    assert [h.url for h in hits] == ["https://news.example/new", "https://news.example/old"]
    assert hits[0].score > hits[1].score


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ('NEAR("a" b)*', ["near", "a", "b"]),
        ("Crème Brûlée crème", ["crème", "brûlée"]),
        ("snake_case 42", ["snake", "case", "42"]),
        ("", []),
    ],
)
def test_query_terms(query: str, terms: list[str]) -> None:
    assert query_terms(query) == terms


ACCENTED = article(
    "lodz",
    title="Filharmonia Łódzka returns to Łódź",
    text="Guðrún Ólafsdóttir conducts a Kraków-based choir and the Øresund Strings in Beyoncé's "
    "ﬁnal encore, an œuvre first heard at the Straße festival in Ærøskøbing, for the city's "
    "Łódź2029 bid.",
)


ACCENT_QUERIES = [
    "Lodz",
    "Łódź",  # as written
    "gudrun",  # ð
    "Krakow",  # in a hyphenated word
    "oresund",  # ø
    "Beyonce",
    "final",  # a ligature
    "oeuvre",  # œ
    "strasse",  # ß
    "Aeroskobing",  # æ, ø
    "lodz2029",  # letters and digits
]


@pytest.mark.usefixtures("folds_accents")
async def test_search_ignores_accents(store: Store) -> None:
    feed = await store.add_feed("https://a.example/feed")
    await store.store_articles(feed.id, [ACCENTED, *STORIES], deliver=False)
    found = {q: [h.url for h in await store.search_articles(q)] for q in ACCENT_QUERIES}
    assert found == {q: ["https://news.example/lodz"] for q in ACCENT_QUERIES}


# Letters whose fold differs by engine: PostgreSQL's unaccent keeps the archaic long s with dot.
_KEPT_BY = {"postgresql": {"ẛ"}, "sqlite": set()}


@pytest.mark.usefixtures("folds_accents")
async def test_every_latin_letter_is_found_by_its_folded_form(
    database_url: str, store: Store
) -> None:
    blocks = [*range(0xC0, 0x250), *range(0x1E00, 0x1F00), *range(0xFB00, 0xFB07)]
    kept = _KEPT_BY[database_url.split("+", 1)[0]]
    letters = [
        c
        for c in map(chr, blocks)
        if c.isalpha() and fold(c.lower()) != c.lower() and fold(c.lower()).isascii()
    ]
    assert len(letters) > 500
    # A word of its own per letter ("zzabæzz"), so no other letter's word answers for it.
    tags = [a + b for a in ascii_lowercase for b in ascii_lowercase]
    words = {
        f"zz{tag}{c}zz": f"zz{tag}{fold(c.lower())}zz"
        for tag, c in zip(tags[: len(letters)], letters, strict=True)
    }
    feed = await store.add_feed("https://a.example/feed")
    text = " ".join(words)
    await store.store_articles(feed.id, [article("all", title="Letters", text=text)], deliver=False)
    missed = [
        word
        for word, folded in words.items()
        if word[4] not in kept and not await store.search_articles(folded)
    ]
    assert missed == []


@pytest.mark.usefixtures("folds_accents")
async def test_the_upgrade_to_folded_search_indexes_stored_articles_again(
    database_url: str,
) -> None:
    stored_at = [NOW - timedelta(days=60)]
    old = await Store.open(database_url, migrate_to="0016", clock=lambda: stored_at[0])
    try:
        feed = await old.add_feed("https://a.example/feed")
        await old.store_articles(feed.id, [ACCENTED, *STORIES], deliver=False)
        assert await AnswerEngine().catch_up(old) == 4
    finally:
        await old.close()
    store = await Store.open(database_url, clock=lambda: stored_at[0])  # 0017 and on
    try:
        assert await store.answer_doc_count() == 0  # analysed again: its fold maps ð, þ now
        for query, expected in [("Lodz", "lodz"), ("gudrun", "lodz"), ("tartus", "syria")]:
            assert [h.url for h in await store.search_articles(query)] == [
                f"https://news.example/{expected}"
            ]
        # Pruned, its text leaves the index with the words it was indexed with (the trigger
        # deletes folded entries): the title stays findable, the text's words no longer are.
        stored_at[0] = NOW
        assert await store.prune(timedelta(days=30)) == 4
        assert [h.title for h in await store.search_articles("Lodz")] == [ACCENTED.entry.title]
        assert await store.search_articles("gudrun") == []
        again = article("again", title="Guðrún returns", text="Øresund Strings play again.")
        await store.store_articles(feed.id, [again], deliver=False)
        assert [h.title for h in await store.search_articles("gudrun oresund")] == [
            again.entry.title
        ]
    finally:
        await store.close()
