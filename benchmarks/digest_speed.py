"""Digest speed: articles per second of Briefing and of sumy LexRank in the same run, and memory.

    .venv/bin/python benchmarks/digest_speed.py --data ../shared/eval/cnndm-dev.jsonl [--runs 5]

Both systems summarise every article of the file to three sentences, in one process; the figure is
the median of ``--runs`` passes. sumy's default tokenizer needs NLTK's punkt data (a download), so
sumy is fed Briefing's own sentences and a regex word split through a tiny tokenizer object with
``to_sentences``/``to_words``: LexRank itself (its matrix and power iteration) is what is timed,
plus sumy's document model. Then peak memory (RSS, psutil) is sampled while Briefing digests the
data repeated to ``--batch`` articles, to show it stays flat.
"""

from __future__ import annotations

import argparse
import gc
import logging
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psutil
from _eval import Example, load
from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer

from bot.digest import split_sentences, summarize

log = logging.getLogger(__name__)

_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


class OwnTokenizer:
    """sumy's tokenizer interface over Briefing's splitter, so no NLTK data is needed."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        """Sentences of one paragraph."""
        return [s.text for s in split_sentences(paragraph) if not s.is_heading]

    def to_words(self, sentence: str) -> list[str]:
        """Words of one sentence."""
        return _WORDS.findall(sentence)


def make_lexrank() -> Callable[[str], list[str]]:
    """A function running sumy LexRank (English stemmer, no stop words) to three sentences."""
    summarizer = LexRankSummarizer(Stemmer("english"))
    tokenizer = OwnTokenizer()

    def run(text: str) -> list[str]:
        document = PlaintextParser.from_string(text, tokenizer).document
        return [str(s) for s in summarizer(document, 3)]

    return run


def briefing(text: str) -> list[str]:
    """Briefing's three key points."""
    return [p.text for p in summarize(text).key_points]


def rate(system: Callable[[str], list[str]], texts: Sequence[str], runs: int) -> float:
    """Median articles per second over ``runs`` passes."""
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for text in texts:
            system(text)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def peak_memory(examples: Sequence[Example], batch: int) -> tuple[float, float, float]:
    """RSS in MiB before, after the first tenth, and the peak over a ``batch``-article run."""
    process = psutil.Process()
    gc.collect()
    before = process.memory_info().rss / 2**20
    early = peak = before
    for n in range(batch):
        summarize(examples[n % len(examples)].text)
        if n % 50 == 0:
            rss = process.memory_info().rss / 2**20
            peak = max(peak, rss)
            if n <= batch // 10:
                early = max(early, rss)
    return before, early, peak


def main(argv: list[str] | None = None) -> int:
    """Print speeds, the ratio, ms per article and memory figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args(argv)
    examples = load(args.data)
    texts = [e.text for e in examples]
    words = statistics.mean(len(t.split()) for t in texts)
    print(f"{args.data.name}: {len(texts)} articles, {words:.0f} words on average")
    mine = rate(briefing, texts, args.runs)
    lexrank = rate(make_lexrank(), texts, max(1, args.runs // 2 + 1))
    print(f"Briefing      {mine:8.1f} articles/s  {1000 / mine:6.2f} ms/article")
    print(f"sumy LexRank  {lexrank:8.1f} articles/s  {1000 / lexrank:6.2f} ms/article")
    print(f"ratio         {mine / lexrank:8.1f}x")
    before, early, peak = peak_memory(examples, args.batch)
    print(
        f"memory over {args.batch} articles: RSS {before:.1f} MiB before, "
        f"{early:.1f} MiB after the first tenth, peak {peak:.1f} MiB (+{peak - early:.1f} MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
