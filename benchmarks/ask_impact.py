"""An experiment for /ask at archive scale: impact-ordered postings as the first stage.

    .venv/bin/python benchmarks/archive.py --articles 100000 --questions 10 \
        --database-url sqlite+aiosqlite:////tmp/archive-100k.db      # load once
    .venv/bin/python benchmarks/ask_impact.py --database /tmp/archive-100k.db --build
    .venv/bin/python benchmarks/ask_impact.py --database /tmp/archive-100k.db --top 100 200 400

The experiment that led to what Briefing ships (``bot.store.postings``, measured by archive.py
and validated by archive_validate.py), kept as the record of it. ``--build``
writes, beside the archive (SQLite only), a table of every (stem, article) pair of the stored
analyses with its BM25 term-frequency part (k1 1.2, b 0.75) as the key's second column, so a
stem's best articles are read in order from the index, and each stem's document frequency.
A question then reads its stems' ``--top`` best postings each, sums idf x weight per article,
and hands the best 24 to Briefing's own sentence ranking (the stored analyses, as /ask does).
Prints the first stage's and the whole question's median and p90 (ms), recall (an answer in
some candidate) and hit@3, to set beside ``ask_stages.py`` on the same archive. No guild or
time window: every article of the benchmark's archive is in both.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sqlite3
import statistics
import time
from datetime import datetime

from archive import EVAL, percentile

from bot.answer.engine import CANDIDATES, AnswerEngine, _best
from bot.answer.index import SentenceIndex
from bot.answer.rank import rank, vocabulary
from bot.answer.tokenize import question_terms
from bot.store.rows import AnswerCandidate

K1, B = 1.2, 0.75


def build(db: sqlite3.Connection) -> None:
    """The postings and document frequencies of every stored analysis (form 2)."""
    db.execute("DROP TABLE IF EXISTS impact_postings")
    db.execute("DROP TABLE IF EXISTS impact_df")
    db.execute(
        "CREATE TABLE impact_postings(term TEXT, w REAL, article_id INTEGER, "
        "PRIMARY KEY (term, w, article_id)) WITHOUT ROWID"
    )
    db.execute("CREATE TABLE impact_df(term TEXT PRIMARY KEY, df INTEGER) WITHOUT ROWID")
    docs = []
    for article_id, data in db.execute("SELECT article_id, data FROM answer_docs"):
        lines = data.split("\n")
        length = json.loads(lines[1])["d"]
        counts = [(t, int(n)) for t, n, _ in (line.split("\t") for line in lines[2:] if line)]
        docs.append((article_id, length, counts))
    mean = sum(length for _, length, _ in docs) / max(len(docs), 1)
    df: dict[str, int] = {}
    rows = []
    for article_id, length, counts in docs:
        norm = K1 * (1 - B + B * length / mean)
        for term, tf in counts:
            df[term] = df.get(term, 0) + 1
            rows.append((term, round(tf * (K1 + 1) / (tf + norm), 4), article_id))
    rows.sort()
    started = time.perf_counter()
    db.executemany("INSERT INTO impact_postings VALUES (?, ?, ?)", rows)
    db.executemany("INSERT INTO impact_df VALUES (?, ?)", df.items())
    db.commit()
    print(
        f"{len(rows):,} postings of {len(docs):,} articles written in "
        f"{time.perf_counter() - started:.0f} s"
    )


def ask(db: sqlite3.Connection, top: int, questions: int) -> None:
    """The QA questions through the postings, then Briefing's ranking; prints the figures."""
    rows = [json.loads(line) for line in (EVAL / "qa-dev.jsonl").open(encoding="utf-8")]
    rows = random.Random(1).sample(rows, min(questions, len(rows)))
    articles = db.execute("SELECT count(*) FROM answer_docs").fetchone()[0]
    engine = AnswerEngine()
    first_ms, ask_ms, hits, recalled = [], [], 0, 0
    for row in rows:
        started = time.perf_counter()
        chosen = _first_stage(db, question_terms(row["question"]), articles, top)
        first_ms.append((time.perf_counter() - started) * 1000)
        candidates = _candidates(db, chosen)
        wanted = vocabulary(row["question"])
        index = SentenceIndex()
        for candidate in candidates:
            doc = engine._stored(candidate, wanted)
            if doc is not None:
                index.insert(doc, wanted)
        answers = _best(rank(index, row["question"], None, engine.params), 3)
        ask_ms.append((time.perf_counter() - started) * 1000)
        golds = row["answers"]
        hits += any(g in a.text for a in answers for g in golds)
        recalled += any(g in c.text for c in candidates for g in golds)
    n = len(rows)
    print(
        f"top {top} postings a stem: first stage median {statistics.median(first_ms):.2f} ms, "
        f"p90 {percentile(first_ms, 0.9):.2f} ms; question median "
        f"{statistics.median(ask_ms):.2f} ms, p90 {percentile(ask_ms, 0.9):.2f} ms; recall "
        f"{100 * recalled / n:.1f}, hit@3 {100 * hits / n:.1f}"
    )


def _first_stage(db: sqlite3.Connection, terms: list[str], articles: int, top: int) -> list[int]:
    if not terms:
        return []
    marks = ",".join("?" * len(terms))
    found = dict(db.execute(f"SELECT term, df FROM impact_df WHERE term IN ({marks})", terms))
    score: dict[int, float] = {}
    for term, df in found.items():
        idf = math.log(1 + (articles - df + 0.5) / (df + 0.5))
        best = db.execute(
            "SELECT article_id, w FROM impact_postings WHERE term = ? ORDER BY w DESC LIMIT ?",
            (term, top),
        )
        for article_id, weight in best:
            score[article_id] = score.get(article_id, 0.0) + idf * weight
    return sorted(score, key=lambda a: (-score[a], -a))[:CANDIDATES]


def _candidates(db: sqlite3.Connection, ids: list[int]) -> list[AnswerCandidate]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    found = db.execute(
        "SELECT a.id, a.title, a.url, a.published, a.text, d.text_hash, d.data FROM articles a "
        f"JOIN answer_docs d ON d.article_id = a.id WHERE a.id IN ({marks})",
        ids,
    )
    return [
        AnswerCandidate(i, title, url, datetime.fromisoformat(published), text, digest, data, 0.0)
        for i, title, url, published, text, digest, data in found
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="an SQLite archive loaded by archive.py")
    parser.add_argument("--build", action="store_true", help="write the postings first")
    parser.add_argument("--top", type=int, nargs="+", default=[200], help="postings read a stem")
    parser.add_argument("--questions", type=int, default=300)
    args = parser.parse_args()
    db = sqlite3.connect(args.database)
    try:
        if args.build:
            build(db)
        for top in args.top:
            ask(db, top, args.questions)
    finally:
        db.close()


if __name__ == "__main__":
    main()
