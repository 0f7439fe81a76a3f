"""Terms for sentence retrieval, and the cheap answer-type cues of questions and sentences.

Terms are lower-cased words minus English stop words, without the accents of Latin letters
("Beyoncé" meets "Beyonce"), lightly stemmed with the digest engine's stemmer, so "troops" meets
"troop" and "announced" meets "announce". Matching only needs the same treatment on both sides,
so non-English text is cut the same way and still matches itself.
"""

from __future__ import annotations

import functools
import logging
import re
from enum import Enum

from bot.digest import stop_words
from bot.digest.fold import fold
from bot.digest.language import word_set
from bot.digest.stem import stem

log = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# Words that only say what kind of answer is wanted: never matched against sentences.
_QUESTION_WORDS = word_set(
    "what which who whom whose when where why how name named kind type did does do"
)
_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|century|centuries|decade|today|yesterday)\b"
)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|dozen)\b",
    re.IGNORECASE,
)
_TIME = re.compile(f"{_YEAR.pattern}|{_MONTH.pattern}")  # a year or a month, day, century
# A capitalised word after the first word of a sentence: a name (person, place, organisation).
_NAME = re.compile(r"(?<=[\w,;:)] )[A-Z][a-z]+")
# In a question: capitalised words, acronyms and brands ("iPhone") after its first word.
_QUESTION_NAME = re.compile(r"(?<=\S)\s+[\"'“‘(]?([A-Z][\w'’-]*|[a-z]+[A-Z][\w'’-]*)")
# An acronym in a question ("UMC", "FBI"): also named by what it abbreviates.
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")


_HOW_MUCH = re.compile(
    r" how (?:many|much|long|far|fast|old|large|big|tall|high|deep|often) | what (?:percentage|"
    r"proportion|share|number|amount) "
)
# Sentences opening with these lean on the sentence before: "It was worth $32 billion".
_ANAPHORA = word_set("this these that those it its he she his her they their them such there")


class Want(Enum):
    """The kind of answer a question asks for, from its question word."""

    ANY = "any"
    TIME = "time"  # when, what year
    NUMBER = "number"  # how many, how much
    NAME = "name"  # who, whom, whose, where ("which city" is not read: measured, no gain)


# What a sentence must hold for the kind of answer a question asks for.
_OFFERED = {Want.TIME: _TIME, Want.NUMBER: _NUMBER, Want.NAME: _NAME}


def terms(text: str, cache: dict[str, str] | None = None) -> list[str]:
    """The stemmed content terms of ``text``, in order (repeats kept, for term frequencies)."""
    stops = stop_words("en")
    out = []
    for word in _WORD.findall(text.lower()):
        if word in stops or (len(word) < 2 and not word.isdigit()):
            continue
        stemmed = cache.get(word) if cache is not None else None
        if stemmed is None:
            stemmed = stem(fold(word))
            if cache is not None:
                cache[word] = stemmed
        out.append(stemmed)
    return out


def question_terms(question: str) -> list[str]:
    """The distinct terms of a question, question words removed, in order."""
    return list(dict.fromkeys(t for t in terms(question) if t not in _QUESTION_WORDS))


def search_words(question: str) -> list[str]:
    """The question's content words as written (lower-cased): what the full-text index is
    asked for, so its own stemmer treats them."""
    stops = stop_words("en")
    words = (w for w in _WORD.findall(question.lower()) if w not in stops)
    return list(dict.fromkeys(w for w in words if w not in _QUESTION_WORDS and len(w) > 1))


def name_terms(question: str) -> list[str]:
    """The terms of the names in a question: capitalised words after its first word."""
    names = " ".join(m.group(1) for m in _QUESTION_NAME.finditer(question))
    return question_terms(names)


def expansion(question: str, term: str) -> re.Pattern[str] | None:
    """When ``term`` stands for an acronym of ``question`` ("UMC"), a pattern for what it
    abbreviates: capitalised words with its initials, small joining words allowed ("United
    Methodist Church", "Federal Bureau of Investigation"); else None."""
    for word in _ACRONYM.findall(question):
        if terms(word) == [term]:
            return _spelled(word)
    return None


@functools.lru_cache(maxsize=256)
def _spelled(acronym: str) -> re.Pattern[str]:
    words = [f"{letter}[a-z]+" for letter in acronym]
    return re.compile(r"\b" + r"(?:\s+(?:of|and|for|the|de|du|la|von|van))?\s+".join(words) + r"\b")


def wanted(question: str) -> Want:
    """What kind of answer ``question`` asks for (ANY when its wording does not say)."""
    low = " " + " ".join(_WORD.findall(question.lower())) + " "
    if _HOW_MUCH.search(low):
        return Want.NUMBER
    if " when " in low or " what year " in low or " which year " in low or " what date " in low:
        return Want.TIME
    if " who " in low or " whom " in low or " whose " in low or " where " in low:
        return Want.NAME
    return Want.ANY


def leans_back(sentence: str) -> bool:
    """Whether ``sentence`` opens with a pronoun that points to the sentence before it."""
    first = _WORD.match(sentence.lstrip("\"'“‘(«"))
    return first is not None and first.group(0).lower() in _ANAPHORA


def offers_beyond(sentence: str, want: Want, question: str) -> bool:
    """Whether ``sentence`` holds the kind of answer ``want`` names (a time, a number, a name)
    beyond the question's own words: "When did it open in 1990?" is not answered by "1990"."""
    pattern = _OFFERED.get(want)
    if pattern is None:
        return True
    asked = _words(question)
    return any(
        not asked.issuperset(_WORD.findall(m.group(0).lower())) for m in pattern.finditer(sentence)
    )


@functools.lru_cache(maxsize=256)
def _words(text: str) -> frozenset[str]:
    """The lower-cased words of ``text`` (a question: asked about for many sentences)."""
    return frozenset(_WORD.findall(text.lower()))


def offers(sentence: str) -> frozenset[Want]:
    """The kinds of answer a sentence can give: times, numbers, names it contains."""
    kinds = {Want.ANY}
    if _YEAR.search(sentence) or _MONTH.search(sentence):
        kinds.add(Want.TIME)
    if _NUMBER.search(sentence):
        kinds.add(Want.NUMBER)
    if _NAME.search(sentence):
        kinds.add(Want.NAME)
    return frozenset(kinds)
