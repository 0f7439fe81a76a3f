"""Identity of stored things: entry-id hashes and content fingerprints."""

from __future__ import annotations

import hashlib
import logging
import unicodedata

import regex

from bot.models import Article

log = logging.getLogger(__name__)

FINGERPRINT_WORDS = 40  # words of the text, after the title, that identify a story
MIN_TEXT_WORDS = 10  # below this a text says too little to identify anything
_WORD = regex.compile(r"\w+")


def key_hash(entry_id: str) -> str:
    """The indexed form of an entry id (ids can be arbitrarily long URLs or guids)."""
    return hashlib.sha256(entry_id.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprint(title: str, text: str) -> str | None:
    """A hash of the title and the start of the text, blind to case, accents and punctuation.

    The same story carried by two feeds under different URLs has the same fingerprint. ``None``
    when the text is too short to tell stories apart (a title alone is not enough: daily posts
    such as "Morning briefing" share titles).
    """
    words = _first_words(text, FINGERPRINT_WORDS)
    if len(words) < MIN_TEXT_WORDS:
        return None
    material = " ".join(_words(title)) + "\n" + " ".join(words[:FINGERPRINT_WORDS])
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def article_fingerprint(article: Article) -> str | None:
    """The fingerprint of an article; a caller may supply its own in ``extra["fingerprint"]``."""
    given = article.extra.get("fingerprint")
    if isinstance(given, str) and given:
        return given[:64]
    return fingerprint(article.entry.title, article.text or article.entry.summary)


def same_title(a: str, b: str) -> bool:
    """True when two titles have the same words (case, accents and punctuation aside)."""
    return _words(a) == _words(b)


def _first_words(text: str, n: int) -> list[str]:
    """The first ``n`` words of ``_words(text)``, without normalising all of a long text."""
    size = 64 * n
    while True:
        words = _words(text[:size])
        # One word more than needed: the last one may be cut where the prefix ends.
        if len(words) > n or size >= len(text):
            return words[:n]
        size *= 4


def _words(text: str) -> list[str]:
    if text.isascii():  # most feeds: nothing to decompose or strip (same result, 10x faster)
        ascii_words: list[str] = _WORD.findall(text.lower())
        return ascii_words
    folded = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words: list[str] = _WORD.findall(stripped)
    return words
