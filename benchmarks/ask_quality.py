"""Answer quality: Briefing's answer engine against BM25 baselines on the /ask evaluation set.

    .venv/bin/python benchmarks/ask_quality.py [--questions Q.jsonl] [--docs D.jsonl] [--limit N]

Each question is answered from the documents of its pool only. Prints hit@1, hit@3 and MRR@10
(see ../shared/eval/QA.md) for Briefing, plain BM25 over the pool's sentences and two-stage BM25,
all on sentences cut by ``bot.digest.split_sentences``; the share of questions whose gold answer
falls inside one such sentence; ms per question; indexing ms per article; and how often Briefing
answers when the question's own article is taken out of the pool ("off-topic": lower is better).
``--set document=0.4`` overrides a ranking parameter (see ``bot.answer.Params``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _bm25 import Baselines

from bot.answer import AnswerEngine, Params
from bot.digest import split_sentences

log = logging.getLogger(__name__)

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
K = 10


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
    """hit@1, hit@3, MRR@10 over questions."""

    def __init__(self) -> None:
        self.n = self.h1 = self.h3 = 0
        self.rr = 0.0

    def add(self, rank: int | None) -> None:
        """Count one question whose first hit is at ``rank``."""
        self.n += 1
        if rank is not None:
            self.h1 += rank == 1
            self.h3 += rank <= 3
            self.rr += 1 / rank if rank <= K else 0.0

    def row(self, name: str, ms: float | None) -> str:
        """One table row."""
        n = self.n or 1
        time_ = f"{ms:8.2f}" if ms is not None else "       —"
        h1, h3, mrr = (100 * x / n for x in (self.h1, self.h3, self.rr))
        return f"{name:<22}{h1:7.1f}{h3:7.1f}{mrr:8.1f} {time_}"


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
    index_ms: float = 0.0
    articles: int = 0
    inside: int = 0
    answered: int = 0
    off_topic: int = 0


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
            found, ms = timed(lambda: [a.text for a in engine.answer(text, top=K)])  # noqa: B023
            run.tallies["Briefing"].add(hit_rank(found, answers))
            run.ms["Briefing"] += ms
            run.answered += bool(found)
            plain, ms = timed(lambda: base.plain(text, K))  # noqa: B023
            run.tallies["BM25"].add(hit_rank(plain, answers))
            run.ms["BM25"] += ms
            staged, ms = timed(lambda: base.two_stage(text, K))  # noqa: B023
            run.tallies["two-stage BM25"].add(hit_rank(staged, answers))
            run.ms["two-stage BM25"] += ms
            run.inside += inside_one_sentence(texts[str(q["doc_id"])], q["answer_spans"])
            article = str(q["doc_id"]).split("#")[0]
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


def report(run: Run) -> None:
    """Print the table and the other figures."""
    n = run.tallies["Briefing"].n or 1
    print(f"{n} questions, {run.articles} articles")
    print(f"{'method':<22}{'hit@1':>7}{'hit@3':>7}{'MRR@10':>8} {'ms/q':>8}")
    for name, tally in run.tallies.items():
        print(tally.row(name, run.ms[name] / n))
    print(f"answer inside one sentence (bot.digest.split_sentences): {100 * run.inside / n:.1f} %")
    print(f"Briefing answered: {100 * run.answered / n:.1f} % of questions")
    print(
        f"off-topic (own article removed from the pool) answered: {100 * run.off_topic / n:.1f} %"
    )
    print(f"indexing: {run.index_ms / max(run.articles, 1):.2f} ms per article")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the figures; the exit status is 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=EVAL / "qa-dev.jsonl")
    parser.add_argument("--docs", type=Path, default=EVAL / "qa-dev-docs.jsonl")
    parser.add_argument("--limit", type=int, default=None, help="first N questions only")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    overrides = {k: float(v) for k, _, v in (p.partition("=") for p in args.set)}
    params = dataclasses.replace(Params(), **overrides)
    questions = load(args.questions)[: args.limit]
    docs = load(args.docs)
    report(evaluate(questions, docs, params))
    ms = speed_on_50(questions, docs, params)
    print(f"Briefing on one pool of 50 articles: {ms:.2f} ms/question")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
