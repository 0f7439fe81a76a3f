"""Sentence segmentation for news text, with offsets, paragraphs and sub-headings.

The text is first cut into *units* at hard line breaks (a line that is merely wrapped is joined to
the next one), then each unit is cut at sentence-final punctuation unless the full stop belongs to
an abbreviation, an initial, a number or a quotation that goes on. A short unit without final
punctuation is a sub-heading: never a sentence to quote, but it opens a new section.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.digest.language import SENTENCE_STARTERS, STOP_WORDS, word_set

log = logging.getLogger(__name__)

MAX_HEADING_WORDS = 12
MAX_HEADING_CHARS = 100
# A line this long that lacks final punctuation is wrapped prose rather than a heading.
WRAP_MIN_CHARS = 60

_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«([¿¡"
# Full stops of scripts without letter case (Devanagari, Arabic, Armenian, Ethiopic) end a
# sentence whatever follows; CJK ones need no space after them.
_CASELESS_STOPS = "।॥؟۔։።"
_TERMINAL = ".!?…。！？" + _CASELESS_STOPS
_BULLET = re.compile(r"(?:[-*•–—▪►·]|\d{1,2}[.)])\s+(?=\S)")
_CANDIDATE = re.compile(rf"[.!?…{_CASELESS_STOPS}]+[\"'”’»)\]]*(?=\s)|[。！？]+[」』”’)]*")
_WORD = re.compile(r"\w+")
# A photo caption glued to the next sentence without a full stop: "... Nigel Farage The study found"
_GLUED = re.compile(r"(?<=[a-z0-9])\s+(?=([A-Z][a-z]*)\s+[a-z])")

# Words after which a full stop never ends the sentence (titles, "No. 10", "Sept. 11").
_NEVER_FINAL = word_set(
    """mr mrs ms messrs dr prof sen rep gov gen col lt sgt capt cmdr adm maj brig cpl pte st mt
    ft rev hon pres supt det insp fr sr sra srta dra mme mlle hr hrn nr no nos art vol fig figs
    pp op cf vs v approx ca jan feb mar apr jun jul aug sep sept oct nov dec z.b bzw u.a d.h vgl"""
)
# Words whose full stop may end the sentence: decided by the next word (see _abbreviation).
_MAYBE_FINAL = word_set("inc ltd co corp jr etc bros plc al usw")
_NUMBER_BEFORE = word_set(
    "no nos nr art vol fig figs pp p jan feb mar apr jun jul aug sep sept oct nov dec"
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence (or sub-heading) of a text: ``text == source[start:end]``."""

    text: str
    start: int
    end: int
    paragraph: int  # 0-based index of the paragraph (hard line break or blank line)
    is_heading: bool
    section: int = 0  # number of sub-headings seen before this unit
    index: int = -1  # 0-based index among non-heading sentences; -1 for headings


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences and sub-headings, in order, with character offsets."""
    out: list[Sentence] = []
    section = index = 0
    for paragraph, (start, end, kind) in enumerate(_units(text)):
        if kind == "heading":
            if out:  # a title-like first line does not open a section
                section += 1
            out.append(Sentence(text[start:end], start, end, paragraph, True, section))
            continue
        spans = [(start, end)] if kind == "bullet" else _split_unit(text, start, end)
        for s, e in spans:
            out.append(Sentence(text[s:e], s, e, paragraph, False, section, index))
            index += 1
    return out


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each non-blank line, trimmed of surrounding whitespace."""
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            yield pos + lead, pos + lead + len(stripped)
        pos += len(raw) + 1


def _ends_terminal(chunk: str) -> bool:
    core = chunk.rstrip(_CLOSERS + " ")
    return bool(core) and core[-1] in _TERMINAL + ":;"


def _units(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, kind) of each line-level unit: "text", "bullet" or "heading"."""
    cur: list[int] | None = None  # [start, end] of the text unit being built
    for start, end in _lines(text):
        line = text[start:end]
        bullet = _BULLET.match(line)
        if cur is not None and not bullet and _continues(text[cur[0] : cur[1]], line):
            cur[1] = end
            continue
        if cur is not None:
            yield cur[0], cur[1], _kind(text[cur[0] : cur[1]])
            cur = None
        if bullet:
            yield start + bullet.end(), end, "bullet"
        else:
            cur = [start, end]
    if cur is not None:
        yield cur[0], cur[1], _kind(text[cur[0] : cur[1]])


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` carries on the wrapped sentence of ``previous``."""
    if _ends_terminal(previous):
        return False
    first = line.lstrip(_OPENERS)[:1]
    return first.islower() or len(previous.rsplit("\n", 1)[-1]) >= WRAP_MIN_CHARS


def _kind(unit: str) -> str:
    if (
        not _ends_terminal(unit)
        and len(unit) <= MAX_HEADING_CHARS
        and len(unit.split()) <= MAX_HEADING_WORDS
        and any(ch.isalpha() for ch in unit)
    ):
        return "heading"
    return "text"


def _split_unit(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut one unit at sentence boundaries; returns trimmed (start, end) spans."""
    unit = text[start:end]
    cuts = [m.end() for m in _CANDIDATE.finditer(unit) if _is_boundary(unit, m.start(), m.end())]
    cuts += [m.start() for m in _GLUED.finditer(unit) if m.group(1).lower() in STOP_WORDS["en"]]
    spans: list[tuple[int, int]] = []
    begin = 0
    for cut in sorted(set(cuts)):
        spans.append((begin, cut))
        begin = cut
    spans.append((begin, len(unit)))
    out = []
    for s, e in spans:
        piece = unit[s:e]
        lead = len(piece) - len(piece.lstrip())
        trimmed = piece.strip()
        if trimmed:
            out.append((start + s + lead, start + s + lead + len(trimmed)))
    return out


def _is_boundary(unit: str, punct_start: int, punct_end: int) -> bool:
    """Whether the punctuation at ``unit[punct_start:punct_end]`` ends a sentence."""
    rest = unit[punct_end:].lstrip()
    if unit[punct_start] in "。！？" + _CASELESS_STOPS:
        return bool(rest)
    nxt = rest.lstrip(_OPENERS)[:1]
    if not nxt or not (nxt.isupper() or nxt.isdigit()):
        return False  # '"... so far," he said' or 'e.g. the' carry on
    punct = unit[punct_start:punct_end].rstrip(_CLOSERS)
    if punct != "." or unit[punct_end - 1] in _CLOSERS:
        return True  # '!', '?', '...' and a full stop before a closing quote end sentences
    begin = punct_start
    while begin > 0 and not unit[begin - 1].isspace():
        begin -= 1
    token = unit[begin:punct_start].lstrip(_OPENERS + "$€£")
    return not _abbreviation(token, rest)


def _abbreviation(token: str, rest: str) -> bool:
    """Whether the full stop after ``token`` (followed by ``rest``) is an abbreviation's."""
    low = token.lower()
    if low in _NUMBER_BEFORE and rest[:1].isdigit():
        return True  # "No. 10", "Sept. 11"
    if low in _NEVER_FINAL:
        return True
    initial = len(token) == 1 and token.isalpha() and token.isupper()
    acronym = "." in token and all(len(p) <= 2 for p in token.split(".")) and token[-1].isalpha()
    if initial or acronym or low in _MAYBE_FINAL:
        return not _starts_sentence(rest)
    return False


def _starts_sentence(rest: str) -> bool:
    """Whether ``rest`` opens with a word that typically begins a sentence ("The", "He")."""
    word = _WORD.match(rest.lstrip(_OPENERS))
    if not word:
        return False
    w = word.group(0)
    if w in ("A", "I"):
        return True
    return w[:1].isupper() and w[1:].islower() and w.lower() in SENTENCE_STARTERS
