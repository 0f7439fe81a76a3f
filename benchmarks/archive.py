"""Archive-scale benchmark: /ask and /search with 10,000 to 100,000 stored articles.

    .venv/bin/python benchmarks/archive.py --articles 10000 50000 100000
    .venv/bin/python benchmarks/archive.py --articles 10000 --backends sqlite
    .venv/bin/python benchmarks/archive.py --articles 100000 \
        --database-url sqlite+aiosqlite:////tmp/archive-100k.db   # loaded once, then reused

Articles are synthetic, built at run time from the evaluation texts in ../shared/eval (never
copied into the repository): each is a run of sentences of one text followed by a run of
another's, so the vocabulary is real news and Wikipedia text. The 179 QA documents are stored
verbatim as well, so the QA questions have their answers somewhere in the archive. Every article
goes through the store (``store_articles``) into 100 feeds one guild follows, published over the
last 7 days, and its answer analysis is stored as the bot's catch-up job stores it (here in
--workers processes, to load faster; the bot does it as articles arrive).

Prints, per backend and size: /ask median and p90 (ms per question, --questions QA questions,
guild-scoped, 7-day window) and the CPU time per question of this process (all its threads: a
figure a busy machine inflates less than wall time), hit@3 (the QA answer inside one of the
three quotes), /search median, p90 and CPU (ms per query, 30-day window, 50 results), the
machine's load average, the database's size (full-text index and stored analyses), and this
process's memory (RSS now and peak). --budget sets the first stage's budget of matching articles
(bot.store.budget) to trace its cost against hit@3. PostgreSQL runs in a scratch schema of
BRIEFING_TEST_PG_URL or postgres@127.0.0.1:5432/test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import chain, islice
from pathlib import Path
from typing import Any

from _pg import drop, pg_schema
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.answer import AnswerEngine
from bot.digest import split_sentences
from bot.models import Article, Digest, Entry, KeyPoint
from bot.store import Store
from bot.store.budget import default_budget
from bot.store.rows import AnswerDocRow

EVAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval"
FEEDS = 100
GUILD = 1
BATCH = 500
NOW = datetime.now(UTC)


def sources() -> tuple[list[tuple[str, list[str]]], list[dict[str, Any]]]:
    """(title, sentences) of every evaluation text, and the QA documents as they are."""
    out: list[tuple[str, list[str]]] = []
    for name in ("cnndm-dev.jsonl", "bbc-dev.jsonl", "xsum-dev.jsonl"):
        for line in (EVAL / name).open(encoding="utf-8"):
            row = json.loads(line)
            sentences = [s.text for s in split_sentences(row["text"]) if not s.is_heading]
            out.append((row.get("title") or sentences[0][:80], sentences))
    docs = [json.loads(line) for line in (EVAL / "qa-dev-docs.jsonl").open(encoding="utf-8")]
    for doc in docs:
        sentences = [s.text for s in split_sentences(doc["text"]) if not s.is_heading]
        out.append((doc["title"], sentences))
    return out, docs


def synthetic(n: int, pool: list[tuple[str, list[str]]]) -> Iterator[tuple[str, str, str]]:
    """``n`` articles (key, title, text): a run of one source's sentences, then another's."""
    for i in range(n):
        rng = random.Random(i)
        (title, first), (_, second) = rng.sample(pool, 2)
        a = rng.randrange(max(len(first) - 4, 1))
        b = rng.randrange(max(len(second) - 4, 1))
        body = first[a : a + rng.randint(4, 12)] + second[b : b + rng.randint(2, 8)]
        paragraphs = [" ".join(body[k : k + 3]) for k in range(0, len(body), 3)]
        yield f"syn-{i}", f"{title} ({i})", "\n\n".join(paragraphs)


def article(key: str, title: str, body: str, published: datetime) -> Article:
    entry = Entry(
        id=key,
        link=f"https://news.example/{key}",
        title=title,
        author=None,
        published=published,
        published_estimated=False,
        summary=body[:200],
        content=body,
        image_url=None,
    )
    digest = Digest((KeyPoint(title, 0, 0, len(title)),), title, ("w",), 60, 1, "en", False)
    return Article(entry=entry, text=body, digest=digest, text_source="feed")


def analyse(rows: Sequence[tuple[int, str, str]]) -> list[AnswerDocRow]:
    """What the catch-up job stores for each (id, title, text)."""
    engine = AnswerEngine()
    return [engine.stored_row(i, title, body) for i, title, body in rows]


async def load(store: Store, n: int, workers: int) -> None:
    """Store ``n`` synthetic articles and the QA documents, and their answer analyses."""
    pool, docs = sources()
    feeds = []
    for f in range(FEEDS):
        feed = await store.add_feed(f"https://feed{f}.example/rss")
        await store.subscribe(feed.id, GUILD, 1000 + f, mode="digest", added_by=None)
        feeds.append(feed.id)
    rng = random.Random(0)
    # Streamed in batches: the benchmark process holds no more of the archive than the bot.
    items = chain(((d["doc_id"], d["title"], d["text"]) for d in docs), synthetic(n, pool))
    del docs
    for number, part in enumerate(iter(lambda: list(islice(items, BATCH)), [])):
        when = [NOW - timedelta(seconds=rng.randrange(7 * 86400 - 3600)) for _ in part]
        batch = [article(k, t, x, w) for (k, t, x), w in zip(part, when, strict=True)]
        await store.store_articles(feeds[number % FEEDS], batch, deliver=False)
    await analyse_all(store, workers)
    if store._db.is_postgres:  # what autovacuum does after a bulk load, done now
        await vacuum(store)


async def vacuum(store: Store) -> None:
    """VACUUM ANALYZE (PostgreSQL): the statistics, and the visibility map that lets the
    postings be read from their index alone."""
    async with store._db.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.execute(text("VACUUM ANALYZE"))


async def analyse_all(store: Store, workers: int) -> None:
    """The catch-up job's work, spread over ``workers`` processes."""
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(workers) as executor:
        after = 0
        while rows := await store.articles_after(after, limit=2000):
            after = rows[-1].id
            plain = [(r.id, r.title, r.text) for r in rows]
            parts = [plain[k : k + 250] for k in range(0, len(plain), 250)]
            results = await asyncio.gather(
                *(loop.run_in_executor(executor, analyse, p) for p in parts)
            )
            await store.save_answer_docs([doc for part in results for doc in part])


async def article_count(store: Store) -> int:
    """How many articles the archive holds."""
    async with store._db.read() as conn:
        return int(await conn.scalar(text("SELECT count(*) FROM articles")) or 0)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


async def measure(store: Store, questions: int, budget: int | None) -> dict[str, float]:
    """/ask and /search timings over the QA questions, and hit@3 of the QA document."""
    rows = [json.loads(line) for line in (EVAL / "qa-dev.jsonl").open(encoding="utf-8")]
    rows = random.Random(1).sample(rows, min(questions, len(rows)))
    engine = AnswerEngine(budget=budget)
    ask_ms, search_ms, hits = [], [], 0
    await engine.ask(store, rows[0]["question"], guild_id=GUILD, now=NOW)  # warm caches
    cpu = time.process_time()  # every thread of this process, the driver's included
    for row in rows:
        started = time.perf_counter()
        answers = await engine.ask(store, row["question"], guild_id=GUILD, now=NOW)
        ask_ms.append((time.perf_counter() - started) * 1000)
        # A synthetic article may quote the same passage: a hit is the answer in a quote.
        hits += any(gold in a.text for a in answers for gold in row["answers"])
    ask_cpu = (time.process_time() - cpu) * 1000 / len(rows)
    searched = rows[:100]
    cpu = time.process_time()
    for row in searched:
        started = time.perf_counter()
        await store.search_articles(
            row["question"], guild_id=GUILD, since=NOW - timedelta(days=30), limit=50, budget=budget
        )
        search_ms.append((time.perf_counter() - started) * 1000)
    return {
        "ask_median": statistics.median(ask_ms),
        "ask_p90": percentile(ask_ms, 0.9),
        "ask_cpu": ask_cpu,
        "hit3": 100 * hits / len(rows),
        "search_median": statistics.median(search_ms),
        "search_p90": percentile(search_ms, 0.9),
        "search_cpu": (time.process_time() - cpu) * 1000 / len(searched),
    }


async def sizes(store: Store, url: str) -> str:
    """The database's size, its full-text index and the stored analyses, in MB."""
    mb = 1024 * 1024
    async with store._db.read() as conn:  # the store's own engine: it sets the search_path
        if url.startswith("sqlite"):
            total = os.path.getsize(make_url(url).database or "")  # noqa: ASYNC240
            data = await conn.scalar(text("SELECT sum(length(data)) FROM answer_docs"))
            fts = await conn.scalar(text("SELECT sum(length(block)) FROM articles_fts_data"))
            try:  # SQLite's page statistics, when the build has them
                postings = await conn.scalar(
                    text(
                        "SELECT sum(pgsize) FROM dbstat WHERE name IN ('answer_postings', "
                        "'ix_answer_postings_article_id', 'answer_terms')"
                    )
                )
                held = f"{(postings or 0) / mb:.0f} MB"
            except DBAPIError:
                held = "not measured (no dbstat)"
            return (
                f"database {total / mb:.0f} MB, FTS5 index {fts / mb:.0f} MB, "
                f"stored analyses {data / mb:.0f} MB, postings {held}"
            )
        art = await conn.scalar(text("SELECT pg_total_relation_size('articles')"))
        gin = await conn.scalar(text("SELECT pg_relation_size('ix_articles_search_vector')"))
        docs = await conn.scalar(text("SELECT pg_total_relation_size('answer_docs')"))
        held = await conn.scalar(
            text(
                "SELECT pg_total_relation_size('answer_postings') "
                "+ pg_total_relation_size('answer_terms')"
            )
        )
        return (
            f"articles with indexes {art / mb:.0f} MB, GIN index {gin / mb:.0f} MB, "
            f"stored analyses {docs / mb:.0f} MB, postings {held / mb:.0f} MB"
        )


def rss_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak, in MB."""
    now = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
    return now, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(backend: str, url: str, n: int, args: argparse.Namespace) -> None:
    store = await Store.open(url)
    try:
        started = time.perf_counter()
        if not await article_count(store):  # else: loaded by an earlier run
            await load(store, n, args.workers)
        elif not await store.answer_doc_count():  # analyses dropped by an upgrade: made again
            await analyse_all(store, args.workers)
            if store._db.is_postgres:
                await vacuum(store)
        loaded = time.perf_counter() - started
        figures = await measure(store, args.questions, args.budget)
        now, peak = rss_mb()
        budget = args.budget or default_budget(postgres=store._db.is_postgres)
        print(
            f"{backend:10} {n:>7,} articles (loaded and analysed in {loaded:.0f} s), budget "
            f"{budget}: /ask median {figures['ask_median']:.2f} ms, p90 "
            f"{figures['ask_p90']:.2f} ms, CPU {figures['ask_cpu']:.2f} ms, hit@3 "
            f"{figures['hit3']:.1f}; /search median {figures['search_median']:.2f} ms, p90 "
            f"{figures['search_p90']:.2f} ms, CPU {figures['search_cpu']:.2f} ms; RSS {now:.0f} MB "
            f"(peak {peak:.0f} MB); load average {os.getloadavg()[0]:.1f}; "
            f"{await sizes(store, url)}",
            flush=True,
        )
    finally:
        await store.close()


async def main(args: argparse.Namespace) -> None:
    if args.database_url:  # an archive of one's own, loaded on the first run and kept
        await run("given", args.database_url, args.articles[0], args)
        return
    backends = [b for b in args.backends.split(",") if b]
    for n in args.articles:
        if "sqlite" in backends:
            with tempfile.TemporaryDirectory() as tmp:
                await run("sqlite", f"sqlite+aiosqlite:///{tmp}/archive.db", n, args)
        if "postgresql" in backends and (pg := await pg_schema()) is not None:
            url, handle = pg
            try:
                await run("postgresql", url, n, args)
            finally:
                await drop(handle)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="load into (or reuse) this database instead")
    parser.add_argument("--budget", type=int, help="matching articles ranked (default: engine's)")
    asyncio.run(main(parser.parse_args()))
