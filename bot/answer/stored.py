"""An analysed article as the database keeps it (``answer_docs``), and back.

Sentence texts are not stored: they are cut from the article's text by their offsets, and the
hash of that text tells whether the stored analysis still describes it.

The stored form is a line naming the form, a short JSON line of per-sentence signals, then one
line per term (``term<TAB>count in the article<TAB>sentence:count ...``), so a question reads
only the lines of its own terms: decoding costs what the question needs, not what the article
holds. Analyses stored as one JSON object (the older form) are still read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Collection
from typing import Any

from bot.answer.index import DocRef, IndexedDoc
from bot.answer.tokenize import Want
from bot.digest import Sentence

log = logging.getLogger(__name__)

_WANTS = {Want.TIME: "t", Want.NUMBER: "n", Want.NAME: "m"}
_FROM_CODE = {code: want for want, code in _WANTS.items()}
_FORM = "2"  # the first line of this form


def text_hash(text: str) -> str:
    """A short hash of an article's text: the stored analysis is valid for this text only."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def encode(doc: IndexedDoc) -> str:
    """``doc`` in its stored form (no sentence texts: they are offsets into the article's text)."""
    head = {
        "s": [[s.start, s.end, s.paragraph, s.section, s.index] for s in doc.sentences],
        "n": list(doc.lengths),
        "d": doc.doc_length,
        "v": [round(v, 4) for v in doc.salience],
        "o": ["".join(_WANTS[w] for w in sorted(o, key=_order) if w in _WANTS) for o in doc.offers],
        "l": [int(b) for b in doc.leans_back],
    }
    where: dict[str, list[str]] = {term: [] for term in doc.doc_tf}
    for position, tf in enumerate(doc.tfs):
        for term, count in tf.items():
            where[term].append(f"{position}:{count}")
    lines = [f"{term}\t{doc.doc_tf[term]}\t{' '.join(spots)}" for term, spots in where.items()]
    head_line = json.dumps(head, separators=(",", ":"), ensure_ascii=False)
    return "\n".join([_FORM, head_line, *lines])


def decode(
    ref: DocRef, text: str, data: str, only: Collection[str] | None = None
) -> IndexedDoc | None:
    """The analysed article stored as ``data`` for ``text`` (with ``only``, just those terms'
    counts: enough to rank it for one question); None when it cannot be read."""
    try:
        if not data.startswith(_FORM + "\n"):  # the older form: one JSON object
            return _decode_json(ref, text, json.loads(data))
        begin = len(_FORM) + 1
        end = data.find("\n", begin)
        head: dict[str, Any] = json.loads(data[begin:] if end < 0 else data[begin:end])
        sentences = _sentences(text, head["s"])
        tfs: list[dict[str, int]] = [{} for _ in sentences]
        doc_tf: dict[str, int] = {}
        for line in _lines(data, end, only):
            term, total, spots = line.split("\t")
            doc_tf[term] = int(total)
            for spot in spots.split():
                position, count = spot.split(":")
                tfs[int(position)][term] = int(count)
        lengths, length = tuple(head["n"]), head["d"]
        return _doc(ref, sentences, tuple(tfs), doc_tf, head, lengths=lengths, doc_length=length)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        log.warning("answer index: unreadable analysis of article %s (%s)", ref.key, error)
        return None


def _lines(data: str, end: int, only: Collection[str] | None) -> list[str]:
    """The term lines of ``data``: all of them, or those of ``only`` found by search."""
    if end < 0:
        return []
    if only is None:
        return data[end + 1 :].split("\n")
    found = []
    for term in only:
        start = data.find(f"\n{term}\t", end)
        if start >= 0:
            stop = data.find("\n", start + 1)
            found.append(data[start + 1 : stop if stop >= 0 else len(data)])
    return found


def _decode_json(ref: DocRef, text: str, raw: dict[str, Any]) -> IndexedDoc:
    tfs = tuple(raw["t"])
    lengths = tuple(sum(tf.values()) for tf in tfs)
    doc_length = sum(raw["d"].values())
    sentences = _sentences(text, raw["s"])
    return _doc(ref, sentences, tfs, raw["d"], raw, lengths=lengths, doc_length=doc_length)


def _sentences(text: str, spans: list[list[int]]) -> tuple[Sentence, ...]:
    return tuple(
        Sentence(text[a:b], a, b, paragraph, False, section, index)
        for a, b, paragraph, section, index in spans
    )


def _doc(
    ref: DocRef,
    sentences: tuple[Sentence, ...],
    tfs: tuple[dict[str, int], ...],
    doc_tf: dict[str, int],
    raw: dict[str, Any],
    *,
    lengths: tuple[int, ...],
    doc_length: int,
) -> IndexedDoc:
    signals = (len(lengths), len(sentences), len(raw["v"]), len(raw["o"]), len(raw["l"]))
    if any(n != len(tfs) for n in signals):
        raise ValueError("misaligned analysis")
    return IndexedDoc(
        ref=ref,
        sentences=sentences,
        tfs=tfs,
        lengths=lengths,
        doc_tf=doc_tf,
        doc_length=doc_length,
        salience=tuple(raw["v"]),
        offers=tuple(_offers(code) for code in raw["o"]),
        leans_back=tuple(bool(b) for b in raw["l"]),
    )


@functools.lru_cache(maxsize=64)
def _offers(code: str) -> frozenset[Want]:
    """The kinds of answer a sentence's code stands for (a few codes: built once each)."""
    return frozenset({Want.ANY, *(_FROM_CODE[c] for c in code)})


def _order(want: Want) -> str:
    return want.value
