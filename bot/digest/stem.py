"""Stemming with the Snowball stemmers (PyStemmer: 30 languages) and a prefix for the rest.

Snowball matches "troops"/"troop", "warned"/"warning" and "died"/"die" in English and does the same
job in each language it knows; a language without a stemmer (or "und") is cut to a fixed prefix,
the language-agnostic trick that works about as well as a stemmer for matching.
"""

from __future__ import annotations

import functools
import logging

import Stemmer

log = logging.getLogger(__name__)

PREFIX_CHARS = 6
# ISO 639-1 code -> Snowball algorithm name.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
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
    stemmer = _stemmer(language)
    if stemmer is None:
        return word[:PREFIX_CHARS]
    return str(stemmer.stemWord(word))


@functools.cache
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    name = SNOWBALL.get(language)
    return Stemmer.Stemmer(name) if name else None
