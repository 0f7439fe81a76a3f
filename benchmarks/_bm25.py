"""The baselines of ../shared/eval/QA.md: plain Okapi BM25 over sentences, and two-stage BM25.

Tokens as QA.md describes them: lower-cased ``\\w+`` runs minus scikit-learn's English stop words
(the list below is scikit-learn's ``ENGLISH_STOP_WORDS``, BSD licence), k1 1.5, b 0.75.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence

log = logging.getLogger(__name__)

K1, B = 1.5, 0.75
_WORD = re.compile(r"\w+")
SKLEARN_STOP_WORDS = frozenset(
    str.split(
        """a about above across after afterwards again against all almost alone along already also
    although always am among amongst amoungst amount an and another any anyhow anyone anything
    anyway anywhere are around as at back be became because become becomes becoming been before
    beforehand behind being below beside besides between beyond bill both bottom but by call can
    cannot cant co con could couldnt cry de describe detail do done down due during each eg eight
    either eleven else elsewhere empty enough etc even ever every everyone everything everywhere
    except few fifteen fifty fill find fire first five for former formerly forty found four from
    front full further get give go had has hasnt have he hence her here hereafter hereby herein
    hereupon hers herself him himself his how however hundred i ie if in inc indeed interest into
    is it its itself keep last latter latterly least less ltd made many may me meanwhile might
    mill mine more moreover most mostly move much must my myself name namely neither never
    nevertheless next nine no nobody none noone nor not nothing now nowhere of off often on once
    one only onto or other others otherwise our ours ourselves out over own part per perhaps
    please put rather re same see seem seemed seeming seems serious several she should show side
    since sincere six sixty so some somehow someone something sometime sometimes somewhere still
    such system take ten than that the their them themselves then thence there thereafter thereby
    therefore therein thereupon these they thick thin third this those though three through
    throughout thru thus to together too top toward towards twelve twenty two un under until up
    upon us very via was we well were what whatever when whence whenever where whereafter whereas
    whereby wherein whereupon wherever whether which while whither who whoever whole whom whose
    why will with within without would yet you your yours yourself yourselves"""
    )
)


def tokens(text: str) -> list[str]:
    """QA.md's baseline tokens."""
    return [w for w in _WORD.findall(text.lower()) if w not in SKLEARN_STOP_WORDS]


class Okapi:
    """BM25 (Okapi) over a fixed list of texts, indexed once."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.tfs = [Counter(tokens(t)) for t in texts]
        self.lengths = [sum(tf.values()) for tf in self.tfs]
        self.mean = (sum(self.lengths) / len(self.lengths) if self.lengths else 0.0) or 1.0
        df: Counter[str] = Counter()
        for tf in self.tfs:
            df.update(tf.keys())
        n = len(self.tfs)
        # rank-bm25's Okapi idf: log((n - df + 0.5) / (df + 0.5)), negative ones floored at
        # 0.25 x the mean idf.
        idf = {t: math.log((n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        floor = 0.25 * (sum(idf.values()) / len(idf)) if idf else 0.0
        self.idf = {t: (v if v >= 0 else floor) for t, v in idf.items()}

    def scores(self, query: str, only: Sequence[int] | None = None) -> list[tuple[float, int]]:
        """(score, position) of every text (or those in ``only``), best first."""
        q = tokens(query)
        out = []
        for i in only if only is not None else range(len(self.tfs)):
            tf, norm = self.tfs[i], 1 - B + B * self.lengths[i] / self.mean
            s = sum(
                self.idf.get(t, 0.0) * tf[t] * (K1 + 1) / (tf[t] + K1 * norm) for t in q if t in tf
            )
            out.append((s, i))
        out.sort(key=lambda x: (-x[0], x[1]))
        return out


class Baselines:
    """Plain BM25 over a pool's sentences, and two-stage BM25 (top documents, then sentences)."""

    def __init__(self, doc_sentences: Sequence[Sequence[str]], doc_texts: Sequence[str]) -> None:
        self.owner = [d for d, sents in enumerate(doc_sentences) for _ in sents]
        self.sentences = [s for sents in doc_sentences for s in sents]
        self.by_sentence = Okapi(self.sentences)
        self.by_doc = Okapi(doc_texts)

    def plain(self, question: str, k: int) -> list[str]:
        """The ``k`` best sentences of the pool."""
        return [self.sentences[i] for _, i in self.by_sentence.scores(question)[:k]]

    def two_stage(self, question: str, k: int, docs: int = 3) -> list[str]:
        """The ``k`` best sentences of the ``docs`` best documents."""
        top = {i for _, i in self.by_doc.scores(question)[:docs]}
        only = [i for i, d in enumerate(self.owner) if d in top]
        return [self.sentences[i] for _, i in self.by_sentence.scores(question, only)[:k]]
