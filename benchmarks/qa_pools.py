"""Pools for the /ask evaluation from other SQuAD articles, to check figures beyond dev.

    .venv/bin/python benchmarks/qa_pools.py SQUAD.json OUT_DIR [--questions 1000]
    .venv/bin/python benchmarks/ask_quality.py --questions OUT_DIR/qa.jsonl \
        --docs OUT_DIR/qa-docs.jsonl

Takes a file in SQuAD v1.1's form (its training split shares no article with the dev and held-out
splits, which both come from SQuAD's development set) and builds pools the way
../shared/eval/QA.md describes them: each article's paragraphs cut into consecutive documents of
3 or 4, joined by a blank line; the documents shuffled (seed 13) and dealt into pools of about 45;
questions sampled (seed 13). A file cut short keeps its complete articles. Writes
``qa-docs.jsonl`` and ``qa.jsonl`` in the eval set's form; nothing of it belongs in the
repository (SQuAD is CC BY-SA 4.0).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

SEED = 13
POOL_DOCS = 44.5  # documents per pool, as in the dev split


def articles(raw: str) -> list[dict[str, Any]]:
    """The complete articles of a SQuAD file, in order (those before a cut, if it was cut)."""
    decoder = json.JSONDecoder()
    at = raw.index("[", raw.index('"data"')) + 1
    found: list[dict[str, Any]] = []
    while True:
        while at < len(raw) and raw[at] in " ,\r\n\t":
            at += 1
        try:
            article, at = decoder.raw_decode(raw, at)
        except json.JSONDecodeError:
            return found
        found.append(article)


def runs(n: int) -> list[int]:
    """Sizes of consecutive runs of 3 or 4 that cut ``n`` paragraphs (fewer stay one run)."""
    parts = max(1, round(n / 3.5))
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


def build(
    squad: list[dict[str, Any]], questions: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(documents, questions) in the eval set's form."""
    docs: list[dict[str, Any]] = []
    asked: list[dict[str, Any]] = []
    for article in squad:
        paragraphs, at = article["paragraphs"], 0
        sizes = runs(len(paragraphs))
        for part, size in enumerate(sizes, start=1):
            doc_id, text = f"{article['title']}#{part}", ""
            for paragraph in paragraphs[at : at + size]:
                text += "\n\n" if text else ""
                offset = len(text)
                text += paragraph["context"]
                for qa in paragraph["qas"]:
                    spans = [
                        [offset + a["answer_start"], offset + a["answer_start"] + len(a["text"])]
                        for a in qa["answers"]
                    ]
                    answers = list(dict.fromkeys(a["text"] for a in qa["answers"]))
                    asked.append(
                        {
                            "id": qa["id"],
                            "question": qa["question"],
                            "answers": answers,
                            "answer_spans": spans,
                            "doc_id": doc_id,
                        }
                    )
            at += size
            title = f"{article['title'].replace('_', ' ')} (part {part} of {len(sizes)})"
            docs.append({"doc_id": doc_id, "title": title, "text": text})
    random.Random(SEED).shuffle(docs)
    pools = max(1, round(len(docs) / POOL_DOCS))
    pool_of = {}
    for n, doc in enumerate(docs):
        doc["pool"] = pool_of[doc["doc_id"]] = f"pool-{n % pools + 1:02d}"
    for q in asked:
        q["pool"] = pool_of[q["doc_id"]]
    sample = random.Random(SEED).sample(asked, min(questions, len(asked)))
    return docs, sample


def main() -> int:
    """Write the pools and the sampled questions; print what was built."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args()
    squad = articles(args.squad.read_text(encoding="utf-8"))
    docs, questions = build(squad, args.questions)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("qa-docs.jsonl", docs), ("qa.jsonl", questions)):
        with (args.out / name).open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    pools = len({d["pool"] for d in docs})
    print(
        f"{len(squad)} articles, {len(docs)} documents in {pools} pools, "
        f"{len(questions)} questions -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
