"""``briefing ask``: quoted answers from the stored articles, or a JSON-lines evaluation batch."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.answer import Answer, AnswerEngine
from bot.cli.common import settings_from
from bot.cli.failures import open_store_or_explain
from bot.settings import Settings

MAX_TOP = 10


def register(commands: Any) -> None:
    """Add the ``ask`` sub-command."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "ask",
        help="answer a question by quoting stored articles (or a JSON-lines batch)",
        description="Answer a question with verbatim sentences of the stored articles.",
    )
    parser.add_argument("question", nargs="?", help="the question")
    parser.add_argument("--top", type=int, default=3, help="sentences to quote (1-10)")
    parser.add_argument("--days", type=int, default=7, help="articles of the last N days")
    parser.add_argument("--guild", type=int, default=None, help="only this guild's feeds")
    parser.add_argument("--feed", type=int, default=None, help="only this feed (its id)")
    parser.add_argument("--json", action="store_true", help="print the answers as JSON")
    parser.add_argument(
        "--jsonl", type=Path, metavar="QUESTIONS", help='batch: lines {"id", "question", "pool"}'
    )
    parser.add_argument(
        "--docs", type=Path, metavar="DOCS", help='with --jsonl: lines {"pool", "doc_id", ...}'
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Answer one question from the database, or a batch from files; returns the exit status."""
    if not 1 <= args.top <= MAX_TOP:
        print(f"briefing ask: --top must be between 1 and {MAX_TOP}", file=sys.stderr)
        return 2
    if args.jsonl is not None or args.docs is not None:
        if args.jsonl is None or args.docs is None or args.question is not None:
            print("briefing ask: a batch needs --jsonl QUESTIONS and --docs DOCS", file=sys.stderr)
            return 2
        return _run_batch(args.jsonl, args.docs, args.top)
    if not args.question:
        print("briefing ask: give a QUESTION (or --jsonl QUESTIONS --docs DOCS)", file=sys.stderr)
        return 2
    answers = asyncio.run(_ask_store(args, settings_from(args)))
    if args.json:
        json.dump([_json_answer(a) for a in answers], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif not answers:
        print(f"Nothing relevant in the last {args.days} days.")
    for answer in answers if not args.json else ():
        published = answer.article.published
        when = f", {published:%Y-%m-%d}" if published else ""
        print(f"“{answer.text}”\n    — {answer.article.title}{when}  {answer.article.link or ''}")
    return 0


async def _ask_store(args: argparse.Namespace, settings: Settings) -> list[Answer]:
    store = await open_store_or_explain(settings)
    try:
        return await AnswerEngine().ask(
            store,
            args.question,
            guild_id=args.guild,
            feed_id=args.feed,
            days=args.days,
            now=datetime.now(UTC),
            top=args.top,
        )
    finally:
        await store.close()


def _json_answer(answer: Answer) -> dict[str, Any]:
    published = answer.article.published
    return {
        "sentence": answer.text,
        "article_id": answer.article.key,
        "title": answer.article.title,
        "link": answer.article.link,
        "published": published.isoformat() if published else None,
        "position": {"sentence": answer.sentence, "start": answer.start, "end": answer.end},
    }


def _read_jsonl(path: Path, required: tuple[str, ...]) -> tuple[list[dict[str, Any]], int]:
    """The valid objects of a JSON-lines file, bad lines reported by number; (rows, failures)."""
    rows: list[dict[str, Any]] = []
    failures = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                item = f"not valid JSON ({exc})"
            if isinstance(item, dict) and all(isinstance(item.get(k), str) for k in required):
                rows.append(item)
                continue
            failures += 1
            reason = item if isinstance(item, str) else f"expected an object with {required}"
            print(f"briefing ask: {path}:{number}: {reason}", file=sys.stderr)
    return rows, failures


def _run_batch(questions_path: Path, docs_path: Path, top: int) -> int:
    """Answer each question from the documents of its pool; JSON lines out."""
    try:
        docs, bad_docs = _read_jsonl(docs_path, ("pool", "doc_id", "text"))
        questions, bad_questions = _read_jsonl(questions_path, ("question", "pool"))
    except OSError as exc:
        print(f"briefing ask: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    engine = AnswerEngine()
    pools: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        key = f"{doc['pool']}\x00{doc['doc_id']}"  # document ids need only be unique per pool
        engine.add(key, str(doc.get("title") or ""), doc["text"])
        pools[doc["pool"]].append(key)
    for item in questions:
        answers = engine.answer(item["question"], keys=pools.get(item["pool"], []), top=top)
        found = [
            {"doc_id": str(a.article.key).split("\x00", 1)[1], "sentence": a.text} for a in answers
        ]
        sys.stdout.write(json.dumps({"id": item.get("id"), "answers": found}) + "\n")
    sys.stdout.flush()
    return 1 if bad_docs or bad_questions else 0
