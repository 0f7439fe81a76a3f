"""Other languages: detection, stop words and stems for the real non-English feeds of the corpus,
and sentence punctuation of scripts that do not use the full stop."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.digest import detect_language, split_sentences, stop_words, summarize
from bot.digest.stem import stem
from bot.feeds.parse import parse_feed
from tests.conftest import shared_path

# Real feeds of the corpus in a language other than English (../shared/feeds/MANIFEST.md).
FEEDS = {
    "atom_heise.xml": "de",
    "rss091_encoding_2.xml": "pt",
    "rss20_encoding_1.xml": "pt",
    "rss20_uol_noticias.xml": "pt",
    "rss20_ilgiornale.xml": "it",
    "rss20_ilmessaggero.xml": "it",
    "rss20_iconv_nonutf8.xml": "ru",
    "rss20_gzip_cp1251_yandex.xml.gz": "ru",
}
MIN_WORDS = 12  # shorter teasers are too little to tell a language from


@pytest.mark.parametrize(("name", "language"), FEEDS.items())
def test_real_feed_texts_are_digested_in_their_language(name: str, language: str) -> None:
    body = shared_path("feeds", "files", name).read_bytes()
    feed = parse_feed(
        body, url=f"http://feeds.example/{name}", now=datetime(2026, 1, 1, tzinfo=UTC)
    )
    texts = [e.content or e.summary for e in feed.entries]
    texts = [t for t in texts if len(t.split()) >= MIN_WORDS]
    assert texts, name
    stops = stop_words(language)
    assert len(stops) > 100  # a real list, not a handful
    for text in texts:
        digest = summarize(text, max_points=2)
        assert digest.language == language, text[:80]
        assert not {k.lower() for k in digest.keywords} & stops, digest.keywords
        for point in digest.key_points:
            assert text[point.start : point.end].split() == point.text.split()
            assert any(ch.isalpha() for ch in point.text)


@pytest.mark.parametrize(
    ("word", "other", "language"),
    [
        ("died", "die", "en"),
        ("dying", "die", "en"),
        ("policies", "policy", "en"),
        ("denied", "deny", "en"),
        ("carried", "carries", "en"),
        ("announced", "announce", "en"),
        ("troops", "troop", "en"),
        ("warned", "warning", "en"),
        ("colour", "color", "en"),
        ("defence", "defense", "en"),
        ("organised", "organized", "en"),
        ("travelled", "traveling", "en"),
        ("programmes", "program", "en"),
        ("regierungen", "regierung", "de"),
        ("governos", "governo", "pt"),
        ("президента", "президент", "ru"),
        ("ministri", "ministro", "it"),
    ],
)
def test_words_of_one_stem_meet(word: str, other: str, language: str) -> None:
    assert stem(word, language) == stem(other, language)


@pytest.mark.parametrize(
    ("word", "other"),
    [("officer", "office"), ("national", "nation"), ("nearly", "near"), ("news", "new")],
)
def test_english_words_derived_from_one_another_stay_apart(word: str, other: str) -> None:
    # Only inflections are stripped in English: a derived word is another word.
    assert stem(word, "en") != stem(other, "en")


@pytest.mark.parametrize(
    ("word", "other"), [("gases", "gasses"), ("tonnes", "tons"), ("buses", "busses")]
)
def test_english_words_the_spelling_table_would_merge_wrongly_stay_apart(
    word: str, other: str
) -> None:
    # American text writes "gases" and "buses" too, and a tonne is not a ton.
    assert stem(word, "en") != stem(other, "en")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("政府は月曜日に新しい予算を発表した。教育費は十パーセント増える！野党は批判した。", 3),
        ("政府周一公布了新的预算。教育支出将增加百分之十？反对派提出批评。", 3),
        ("सरकार ने सोमवार को नया बजट पेश किया। शिक्षा पर खर्च दस प्रतिशत बढ़ेगा। विपक्ष ने आलोचना की।", 3),
    ],
)
def test_scripts_without_a_full_stop_are_split(text: str, count: int) -> None:
    assert len([s for s in split_sentences(text) if not s.is_heading]) == count


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Президент России в понедельник объявил о решении частично вывести войска из Сирии.",
            "ru",
        ),
        ("政府は月曜日に新しい予算を発表し、教育費を増やすと述べた。", "ja"),
        (
            "O governo apresentou na segunda-feira um orçamento com mais dinheiro para as escolas.",
            "pt",
        ),
        ("De regering heeft maandag een begroting gepresenteerd met meer geld voor scholen.", "nl"),
    ],
)
def test_languages_beyond_the_first_four_are_named(text: str, language: str) -> None:
    words = list(text) if language == "ja" else text.split()
    assert detect_language(words) == language
