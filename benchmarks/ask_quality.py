"""Answer quality: Briefing's answer engine against BM25 baselines on the /ask evaluation set.

    .venv/bin/python benchmarks/ask_quality.py [--questions Q.jsonl] [--docs D.jsonl] [--limit N]
        [--by-article] [--save RANKS.jsonl] [--against RANKS.jsonl]

Each question is answered from the documents of its pool only. Prints hit@1, hit@3 and MRR@10
(see ../shared/eval/QA.md) for Briefing, plain BM25 over the pool's sentences and two-stage BM25,
all on sentences cut by ``bot.digest.split_sentences``; the share of questions whose gold answer
falls inside one such sentence; ms per question; indexing ms per article; and how often Briefing
answers when the question's own article is taken out of the pool ("off-topic": lower is better).
``--set document=0.4`` overrides a ranking parameter (see ``bot.answer.Params``).
``--spell british`` (or ``american``) asks each question spelt that way (breame's table, case
kept): a reader whose spelling is not the articles'.

Questions about one article rise and fall together (one paraphrase habit, one spelling, one
article's accents), so the intervals printed are drawn by resampling whole articles, not
questions: wider than per-question intervals (dev hit@1 ±3.6 against QA.md's ±2.8; ±4.2
against ±1.5 on 3,807 questions about 11 articles), and what a new set of articles may move.
``--by-article`` prints each article's figures beside BM25's, to see whether a gain is broad or
one article's. ``--save FILE`` keeps Briefing's rank for each question; ``--against FILE`` then
compares a later run (another commit, another setting) with it, question by question: the
change, its article interval, and the median article's change, which a gain that is one
article's does not move.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import random
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from _bm25 import Baselines
from breame.data.spelling_constants import (
    AMERICAN_ENGLISH_SPELLINGS,
    BRITISH_ENGLISH_SPELLINGS,
)

from bot.answer import AnswerEngine, Params
from bot.digest import split_sentences

log = logging.getLogger(__name__)

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
K = 10
RESAMPLES = 2000  # article-bootstrap draws


def norm(text: str) -> str:
    """Lower case, whitespace runs collapsed: QA.md's matching rule."""
    return " ".join(text.lower().split())


def hit_rank(sentences: list[str], answers: list[str]) -> int | None:
    """1-based rank of the first sentence containing a gold answer, if any."""
    golds = [norm(a) for a in answers]
    for rank, sentence in enumerate(sentences, start=1):
        s = norm(sentence)
        if any(g in s for g in golds):
            return rank
    return None


class Tally:
    """hit@1, hit@3, MRR@10 over questions, each question filed under its article."""

    def __init__(self) -> None:
        self.ranks: list[tuple[str, int | None]] = []

    def add(self, rank: int | None, article: str = "") -> None:
        """Count one question (about ``article``) whose first hit is at ``rank``."""
        self.ranks.append((article, rank))

    @property
    def n(self) -> int:
        """Questions counted."""
        return len(self.ranks)

    def figures(self, articles: Collection[str] | None = None) -> tuple[float, float, float]:
        """(hit@1, hit@3, MRR@10) in percent, over ``articles`` only when given."""
        ranks = [r for a, r in self.ranks if articles is None or a in articles]
        n = len(ranks) or 1
        h1 = sum(r == 1 for r in ranks)
        h3 = sum(r is not None and r <= 3 for r in ranks)
        rr = sum(1 / r for r in ranks if r is not None and r <= K)
        return 100 * h1 / n, 100 * h3 / n, 100 * rr / n

    def row(self, name: str, ms: float | None) -> str:
        """One table row."""
        time_ = f"{ms:8.2f}" if ms is not None else "       —"
        h1, h3, mrr = self.figures()
        return f"{name:<22}{h1:7.1f}{h3:7.1f}{mrr:8.1f} {time_}"


def article_interval(
    mine: Tally, other: Tally | None = None, seed: int = 13
) -> list[tuple[float, float]]:
    """95 % intervals of hit@1 and hit@3 (of ``mine`` minus ``other`` when given), articles
    drawn with replacement; a question's weight is its article's, as in the figures."""
    by_article: dict[str, list[tuple[int | None, int | None]]] = defaultdict(list)
    theirs = other.ranks if other is not None else [(a, None) for a, _ in mine.ranks]
    for (article, r), (_, o) in zip(mine.ranks, theirs, strict=True):
        by_article[article].append((r, o))
    names = sorted(by_article)
    rng = random.Random(seed)
    draws: list[list[float]] = [[], []]
    for _ in range(RESAMPLES):
        rows = [row for _ in names for row in by_article[rng.choice(names)]]
        for i, k in enumerate((1, 3)):
            hit = sum(r is not None and r <= k for r, _ in rows)
            if other is not None:
                hit -= sum(o is not None and o <= k for _, o in rows)
            draws[i].append(100 * hit / len(rows))
    out = []
    for values in draws:
        values.sort()
        out.append((values[int(0.025 * RESAMPLES)], values[int(0.975 * RESAMPLES) - 1]))
    return out


def load(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON-lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def inside_one_sentence(doc_text: str, spans: list[list[int]]) -> bool:
    """Whether some gold span lies within one sentence of the splitter."""
    sents = [s for s in split_sentences(doc_text) if not s.is_heading]
    return any(s.start <= a and b <= s.end for a, b in spans for s in sents)


def timed(fn: Callable[[], list[str]]) -> tuple[list[str], float]:
    """``fn()`` and its duration in ms."""
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000


@dataclasses.dataclass
class Run:
    """Everything measured in one run."""

    tallies: dict[str, Tally] = dataclasses.field(
        default_factory=lambda: {m: Tally() for m in ("Briefing", "BM25", "two-stage BM25")}
    )
    ms: dict[str, float] = dataclasses.field(default_factory=lambda: defaultdict(float))
    ids: list[str] = dataclasses.field(default_factory=list)  # in the tallies' order
    index_ms: float = 0.0
    articles: int = 0
    inside: int = 0
    answered: int = 0
    off_topic: int = 0


def respelt(question: str, table: dict[str, str]) -> str:
    """``question`` with each word ``table`` names spelt as it says (a capital kept)."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        other = table.get(word.lower())
        if other is None:
            return word
        return other.capitalize() if word[0].isupper() else other

    return re.sub(r"[A-Za-z]+", swap, question)


def evaluate(questions: list[dict[str, Any]], docs: list[dict[str, Any]], params: Params) -> Run:
    """Answer every question from its pool with each method."""
    run = Run()
    by_pool: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs:
        by_pool[str(doc["pool"])].append(doc)
    texts = {str(d["doc_id"]): str(d["text"]) for d in docs}
    for pool, pool_docs in sorted(by_pool.items()):
        engine = AnswerEngine(params)
        t0 = time.perf_counter()
        for doc in pool_docs:
            engine.add(str(doc["doc_id"]), str(doc["title"]), str(doc["text"]))
        run.index_ms += (time.perf_counter() - t0) * 1000
        run.articles += len(pool_docs)
        sents = [
            [s.text for s in split_sentences(str(d["text"])) if not s.is_heading] for d in pool_docs
        ]
        base = Baselines(sents, [str(d["text"]) for d in pool_docs])
        for q in (q for q in questions if q["pool"] == pool):
            text, answers = str(q["question"]), list(q["answers"])
            article = str(q["doc_id"]).split("#")[0]
            found, ms = timed(lambda: [a.text for a in engine.answer(text, top=K)])  # noqa: B023
            run.tallies["Briefing"].add(hit_rank(found, answers), article)
            run.ids.append(str(q["id"]))
            run.ms["Briefing"] += ms
            run.answered += bool(found)
            plain, ms = timed(lambda: base.plain(text, K))  # noqa: B023
            run.tallies["BM25"].add(hit_rank(plain, answers), article)
            run.ms["BM25"] += ms
            staged, ms = timed(lambda: base.two_stage(text, K))  # noqa: B023
            run.tallies["two-stage BM25"].add(hit_rank(staged, answers), article)
            run.ms["two-stage BM25"] += ms
            run.inside += inside_one_sentence(texts[str(q["doc_id"])], q["answer_spans"])
            others = [
                str(d["doc_id"]) for d in pool_docs if str(d["doc_id"]).split("#")[0] != article
            ]
            run.off_topic += bool(engine.answer(text, keys=others, top=3))
    return run


def speed_on_50(
    questions: list[dict[str, Any]], docs: list[dict[str, Any]], params: Params
) -> float:
    """ms per question over one pool of 50 articles (the first 50 documents, all pools mixed)."""
    engine = AnswerEngine(params)
    for doc in docs[:50]:
        engine.add(str(doc["doc_id"]), str(doc["title"]), str(doc["text"]))
    keys = [str(doc["doc_id"]) for doc in docs[:50]]
    t0 = time.perf_counter()
    for q in questions:
        engine.answer(str(q["question"]), keys=keys, top=3)
    return (time.perf_counter() - t0) * 1000 / max(len(questions), 1)


def report(run: Run, by_article: bool = False) -> None:
    """Print the table and the other figures."""
    mine, bm25 = run.tallies["Briefing"], run.tallies["BM25"]
    n = mine.n or 1
    articles = sorted({a for a, _ in mine.ranks})
    print(f"{n} questions, {run.articles} documents of {len(articles)} articles")
    print(f"{'method':<22}{'hit@1':>7}{'hit@3':>7}{'MRR@10':>8} {'ms/q':>8}")
    for name, tally in run.tallies.items():
        print(tally.row(name, run.ms[name] / n))
    (a1, b1), (a3, b3) = article_interval(mine)
    print(
        f"Briefing, 95 % interval over articles: hit@1 {a1:.1f}–{b1:.1f}, hit@3 {a3:.1f}–{b3:.1f}"
    )
    (a1, b1), (a3, b3) = article_interval(mine, bm25)
    print(f"Briefing minus BM25, same: hit@1 {a1:+.1f} to {b1:+.1f}, hit@3 {a3:+.1f} to {b3:+.1f}")
    if by_article:
        print(f"{'article':<34}{'questions':>9}  {'Briefing':>11}  {'BM25':>11}")
        for article in articles:
            count = sum(a == article for a, _ in mine.ranks)
            h1, h3, _ = mine.figures({article})
            g1, g3, _ = bm25.figures({article})
            print(f"{article[:34]:<34}{count:9}  {h1:5.1f}/{h3:5.1f}  {g1:5.1f}/{g3:5.1f}")
    print(f"answer inside one sentence (bot.digest.split_sentences): {100 * run.inside / n:.1f} %")
    print(f"Briefing answered: {100 * run.answered / n:.1f} % of questions")
    print(
        f"off-topic (own article removed from the pool) answered: {100 * run.off_topic / n:.1f} %"
    )
    print(f"indexing: {run.index_ms / max(run.articles, 1):.2f} ms per article")


def save(run: Run, path: Path) -> None:
    """Write Briefing's rank for each question (JSON lines: id, article, rank)."""
    with path.open("w", encoding="utf-8") as out:
        for qid, (article, rank) in zip(run.ids, run.tallies["Briefing"].ranks, strict=True):
            out.write(json.dumps({"id": qid, "article": article, "rank": rank}) + "\n")


def compare(run: Run, path: Path, by_article: bool) -> None:
    """Print how this run's Briefing differs from the one saved in ``path``."""
    saved = {str(r["id"]): r for r in load(path)}
    missing = [qid for qid in run.ids if qid not in saved]
    if missing:
        raise SystemExit(f"{path} lacks {len(missing)} of these questions (e.g. {missing[0]})")
    mine, before = run.tallies["Briefing"], Tally()
    for qid in run.ids:
        before.add(saved[qid]["rank"], str(saved[qid]["article"]))
    articles = sorted({a for a, _ in mine.ranks})
    now, then = mine.figures(), before.figures()
    (a1, b1), (a3, b3) = article_interval(mine, before)
    print(
        f"against {path.name}: hit@1 {now[0] - then[0]:+.1f} ({a1:+.1f} to {b1:+.1f} over "
        f"articles), hit@3 {now[1] - then[1]:+.1f} ({a3:+.1f} to {b3:+.1f})"
    )
    changes = [
        [x - y for x, y in zip(mine.figures({a}), before.figures({a}), strict=True)]
        for a in articles
    ]
    median = [statistics.median(c[i] for c in changes) for i in (0, 1)]
    print(f"median article's change: hit@1 {median[0]:+.1f}, hit@3 {median[1]:+.1f}")
    if by_article:
        print(f"  {'change by article':<34} {'hit@1':>6} {'hit@3':>6}")
        for article, change in zip(articles, changes, strict=True):
            print(f"  {article[:34]:<34} {change[0]:+6.1f} {change[1]:+6.1f}")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the figures; the exit status is 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=EVAL / "qa-dev.jsonl")
    parser.add_argument("--docs", type=Path, default=EVAL / "qa-dev-docs.jsonl")
    parser.add_argument("--limit", type=int, default=None, help="first N questions only")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--by-article", action="store_true", help="each article's figures")
    parser.add_argument("--save", type=Path, help="keep each question's rank in this file")
    parser.add_argument("--against", type=Path, help="compare with ranks kept by --save")
    parser.add_argument("--spell", choices=["british", "american"], help="respell questions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    overrides = {k: float(v) for k, _, v in (p.partition("=") for p in args.set)}
    params = dataclasses.replace(Params(), **overrides)
    questions = load(args.questions)[: args.limit]
    docs = load(args.docs)
    if args.spell:
        table = AMERICAN_ENGLISH_SPELLINGS if args.spell == "british" else BRITISH_ENGLISH_SPELLINGS
        asked = [{**q, "question": respelt(str(q["question"]), table)} for q in questions]
        changed = sum(a["question"] != q["question"] for a, q in zip(asked, questions, strict=True))
        print(f"{changed} of {len(questions)} questions spelt {args.spell}")
        questions = asked
    run = evaluate(questions, docs, params)
    report(run, args.by_article)
    if args.save:
        save(run, args.save)
    if args.against:
        compare(run, args.against, args.by_article)
    ms = speed_on_50(questions, docs, params)
    print(f"Briefing on one pool of 50 articles: {ms:.2f} ms/question")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
