"""An analysed article as the database keeps it (``answer_docs``): compact JSON, and back.

Sentence texts are not stored: they are cut from the article's text by their offsets, and the
hash of that text tells whether the stored analysis still describes it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from bot.answer.index import DocRef, IndexedDoc
from bot.answer.tokenize import Want
from bot.digest import Sentence

log = logging.getLogger(__name__)

_WANTS = {Want.TIME: "t", Want.NUMBER: "n", Want.NAME: "m"}
_FROM_CODE = {code: want for want, code in _WANTS.items()}


def text_hash(text: str) -> str:
    """A short hash of an article's text: the stored analysis is valid for this text only."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def encode(doc: IndexedDoc) -> str:
    """``doc`` as compact JSON (no sentence texts: they are offsets into the article's text)."""
    data = {
        "s": [[s.start, s.end, s.paragraph, s.section, s.index] for s in doc.sentences],
        "t": list(doc.tfs),
        "d": doc.doc_tf,
        "v": [round(v, 4) for v in doc.salience],
        "o": ["".join(_WANTS[w] for w in sorted(o, key=_order) if w in _WANTS) for o in doc.offers],
        "l": [int(b) for b in doc.leans_back],
    }
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def decode(ref: DocRef, text: str, data: str) -> IndexedDoc | None:
    """The analysed article stored as ``data`` for ``text``; None when it cannot be read."""
    try:
        raw: dict[str, Any] = json.loads(data)
        sentences = tuple(
            Sentence(text[a:b], a, b, paragraph, False, section, index)
            for a, b, paragraph, section, index in raw["s"]
        )
        tfs = tuple(raw["t"])
        return IndexedDoc(
            ref=ref,
            sentences=sentences,
            tfs=tfs,
            lengths=tuple(sum(tf.values()) for tf in tfs),
            doc_tf=raw["d"],
            doc_length=sum(raw["d"].values()),
            salience=tuple(raw["v"]),
            offers=tuple(frozenset({Want.ANY, *(_FROM_CODE[c] for c in o)}) for o in raw["o"]),
            leans_back=tuple(bool(b) for b in raw["l"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        log.warning("answer index: unreadable analysis of article %s (%s)", ref.key, error)
        return None


def _order(want: Want) -> str:
    return want.value
