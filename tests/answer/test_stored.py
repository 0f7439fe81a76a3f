"""The stored analysis: read back whole, for one question's terms only, and in its older form."""

from __future__ import annotations

import json

import pytest

from bot.answer import DocRef, IndexedDoc, SentenceIndex, rank
from bot.answer.rank import vocabulary
from bot.answer.stored import decode, encode
from tests.answer.pools import ARTICLES, SEED_TITLE
from tests.conftest import SEED_ARTICLE

QUESTIONS = [
    "What will Russia keep in Syria?",
    "When will the bridge open?",
    "Who won the chess title?",
    "How many doses were given last year?",
    "How fast can a cheetah run?",
]


def _analysed() -> list[tuple[str, IndexedDoc]]:
    index = SentenceIndex()
    texts = dict(ARTICLES)
    texts["seed"] = (SEED_TITLE, SEED_ARTICLE.read_text())
    return [(text, index.analyse(DocRef(key, title), text)) for key, (title, text) in texts.items()]


def test_an_analysis_reads_back_as_it_was_made() -> None:
    for text, doc in _analysed():
        back = decode(doc.ref, text, encode(doc))
        assert back is not None
        assert back.sentences == doc.sentences
        assert back.tfs == doc.tfs
        assert back.doc_tf == doc.doc_tf
        assert (back.lengths, back.doc_length) == (doc.lengths, doc.doc_length)
        assert back.offers == doc.offers
        assert back.leans_back == doc.leans_back
        assert back.salience == pytest.approx(doc.salience, abs=1e-4)


@pytest.mark.parametrize("question", QUESTIONS)
def test_reading_only_the_questions_terms_ranks_the_same(question: str) -> None:
    whole, partial = SentenceIndex(), SentenceIndex()
    wanted = vocabulary(question)
    for text, doc in _analysed():
        stored = encode(doc)
        back = decode(doc.ref, text, stored)
        assert back is not None
        whole.insert(back)
        part = decode(doc.ref, text, stored, wanted)
        assert part is not None
        assert set(part.doc_tf) <= wanted
        partial.insert(part, wanted)
    ranked = [(s.doc.ref.key, s.position, s.score) for s in rank(whole, question)]
    assert [(s.doc.ref.key, s.position, s.score) for s in rank(partial, question)] == ranked


def test_an_analysis_stored_as_one_json_object_is_still_read() -> None:
    text = "Alpha beta rose. Gamma fell in 2020."
    older = {
        "s": [[0, 16, 0, 0, 0], [17, 36, 0, 0, 1]],
        "t": [{"alpha": 1, "beta": 1, "rose": 1}, {"gamma": 1, "fell": 1, "2020": 1}],
        "d": {"alpha": 1, "beta": 1, "rose": 1, "gamma": 1, "fell": 1, "2020": 1},
        "v": [1.0, 0.5],
        "o": ["", "nt"],
        "l": [0, 0],
    }
    doc = decode(DocRef(1, "Alpha"), text, json.dumps(older))
    assert doc is not None
    assert [s.text for s in doc.sentences] == ["Alpha beta rose.", "Gamma fell in 2020."]
    assert doc.lengths == (3, 3)
    assert doc.doc_length == 6


@pytest.mark.parametrize("data", ["", "{", '{"s": [[0, 5, 0, 0, 0]]}', '{"s":[]}\nterm\tx\t0:1'])
def test_an_unreadable_analysis_is_none(data: str) -> None:
    assert decode(DocRef(1, "t"), "Hello there.", data) is None
