"""Stemming: English inflections by rule, Snowball stemmers (PyStemmer) for 33 other languages,
and a prefix for the rest.

English is stemmed lightly, inflections only: plurals and third persons (-s, -es, -ies),
-ed (-ied), -ing and the possessive, so "troops"/"troop", "warned"/"warning", "died"/"die" and
"denied"/"denies"/"deny" meet. British spellings are read as American ones first ("colour",
"defence", "organised", "travelled"; breame's table), as a reader's spelling is often not the
outlet's.
Snowball's English stemmer also strips derivational suffixes, which merges different words
("office"/"officer", "nation"/"national", "near"/"nearly", "like"/"likely"); key points are
chosen by how much sentences share words, and those merges make unrelated sentences look alike.
On every English dev set the light rules scored higher than Snowball English (ROUGE-1 margin
over LEAD-3: CNN/DM +0.99 against +0.63, XSum +1.39 against +1.36, BBC +7.08 against +6.98),
though by changes to few articles (``benchmarks/stem_compare.py`` gives the intervals).
Other languages keep Snowball (no scored data to prefer anything else); a language without a
stemmer (or "und") is cut to a fixed prefix, the language-agnostic trick that works about as
well as a stemmer for matching.
"""

from __future__ import annotations

import functools
import logging

import Stemmer
from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS

log = logging.getLogger(__name__)

PREFIX_CHARS = 6
# ISO 639-1 code -> Snowball algorithm name.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "no": "norwegian", "nb": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip


@functools.lru_cache(maxsize=65536)  # words recur across articles; bounded for long runs
def stem(word: str, language: str = "en") -> str:
    """The stem of a lower-cased ``word`` in ``language`` (ISO 639-1 or "und")."""
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    if language == "en":
        return _english(_AMERICAN.get(word, word))
    stemmer = _stemmer(language)
    if stemmer is None:
        return word[:PREFIX_CHARS]
    return str(stemmer.stemWord(word))


# Pairs of breame's table that are not one word spelt two ways: American text writes "buses",
# "gases", "gauge" and "fillet" too, a tonne is not a ton, a groyne not a groin; or that it has
# wrong ("philtre" is "philter", "tranquilly" not "tranquility").
_NOT_VARIANTS = frozenset({
    "buses", "busing", "minibuses", "gases", "gauge", "gauged", "gauges", "gauging", "fillet",
    "tonne", "tonnes", "groyne", "groynes", "bevvy", "bevvies", "philtre", "philtres",
    "pummelled", "pummelling", "tranquilly",
})  # fmt: skip
_AMERICAN = {gb: us for gb, us in BRITISH_ENGLISH_SPELLINGS.items() if gb not in _NOT_VARIANTS}


def _british(american: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """The British spellings of each American one (a few have two: "yoghurt", "yoghourt")."""
    found: dict[str, list[str]] = {}
    for gb, us in sorted(american.items()):
        found.setdefault(us, []).append(gb)
    return {us: tuple(forms) for us, forms in found.items()}


_BRITISH = _british(_AMERICAN)


def spellings(word: str) -> tuple[str, ...]:
    """A lower-cased English ``word`` and its other spellings, itself first: ("colour",
    "color"), ("color", "colour"), ("budget",). For indexes that stem by their own rules (the
    full-text indexes), which only meet the two when asked for both."""
    american = _AMERICAN.get(word, word)
    forms = [word, american, *_BRITISH.get(american, ())]
    return tuple(dict.fromkeys(forms))


# Words whose final s is not a plural (Snowball's invariant forms).
_KEEP_S = frozenset({"news", "bias", "atlas", "cosmos", "andes"})


def _english(word: str) -> str:
    """``word`` without its inflectional suffix (Porter's step 1, in short)."""
    n = len(word)
    if n <= 3 or word in _KEEP_S:
        return word
    # One letter before -ied/-ies/-ying: "died", "ties", "dying" -> "die", "tie" (as Snowball).
    if n == 4 and word.endswith(("ied", "ies")):
        return word[:-1]
    if n == 5 and word.endswith("ying"):
        return word[0] + "ie"
    if n > 4 and word.endswith(("ies", "ied")):  # "denies", "denied" -> "deny"
        word = word[:-3] + "y"
    elif n > 5 and word.endswith("ing"):
        word = _undouble(word[:-3])
    elif n > 4 and word.endswith("ed") and not word.endswith("eed"):
        word = _undouble(word[:-2])
    elif word.endswith("sses"):
        word = word[:-2]
    elif n > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # "announce" and "announced" meet at "announc", as in Porter's last step.
    if len(word) > 4 and word.endswith("e"):
        return word[:-1]
    return word


def _undouble(base: str) -> str:
    """ "stopped" -> "stopp" -> "stop"; "ll" and "ss" stay ("called" -> "call")."""
    if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz":
        return base[:-1]
    return base


@functools.cache
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    name = SNOWBALL.get(language)
    return Stemmer.Stemmer(name) if name else None
