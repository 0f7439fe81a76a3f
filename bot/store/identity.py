"""Identity of stored things: entry-id hashes and content fingerprints."""

from __future__ import annotations

import hashlib
import logging

from bot.fingerprint import fingerprint, folded_words
from bot.models import Article

log = logging.getLogger(__name__)


def key_hash(entry_id: str) -> str:
    """The indexed form of an entry id (ids can be arbitrarily long URLs or guids)."""
    return hashlib.sha256(entry_id.encode("utf-8", "surrogatepass")).hexdigest()


def article_fingerprint(article: Article) -> str | None:
    """The fingerprint of an article; a caller may supply its own in ``extra["fingerprint"]``."""
    given = article.extra.get("fingerprint")
    if isinstance(given, str) and given:
        return given[:64]
    return fingerprint(article.entry.title, article.text or article.entry.summary)


def same_title(a: str, b: str) -> bool:
    """True when two titles have the same words (case, accents and punctuation aside)."""
    return folded_words(a) == folded_words(b)
