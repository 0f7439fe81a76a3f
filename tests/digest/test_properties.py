"""Properties of summarize that hold for any text (hypothesis)."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.digest import split_sentences, summarize

WORDS = st.sampled_from(
    [
        "the",
        "a",
        "Mr.",
        "Dr.",
        "U.S.",
        "No.",
        "10",
        "$10.9bn",
        "3.5%",
        "said",
        "“quoted,”",
        "'so'",
        "far",
        "...",
        "…",
        "!",
        "?",
        ".",
        ",",
        ";",
        ":",
        "-",
        "•",
        "Putin",
        "Syria",
        "troops",
        "withdraw",
        "EU",
        "warned",
        "threat",
        "Backing",
        "Assad",
        "der",
        "die",
        "le",
        "la",
        "el",
        "y",
        "und",
        "et",
        "\n",
        "\n\n",
        "\t",
        "\xa0",
        "A",
        "I",
    ]
)
# Mostly news-like token soup (segmentation edge cases), plus arbitrary unicode.
TEXTS = st.one_of(
    st.lists(WORDS, max_size=120).map(" ".join),
    st.lists(WORDS, max_size=120).map("".join),
    st.text(max_size=400),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Collect(logging.Handler):
    """Keeps the error records logged while it is attached."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def normalise(text: str) -> str:
    return " ".join(text.split())


@SETTINGS
@given(text=TEXTS, points=st.integers(min_value=-2, max_value=12))
def test_any_text_gives_a_consistent_digest(text: str, points: int) -> None:
    errors = Collect()
    logger = logging.getLogger("bot.digest")
    logger.addHandler(errors)
    try:
        digest = summarize(text, max_points=points)
    finally:
        logger.removeHandler(errors)
    assert not errors.records  # the engine's own safety net was not needed
    assert len(digest.key_points) <= min(max(points, 1), 10)
    body = {normalise(s.text) for s in split_sentences(text) if not s.is_heading}
    for point in digest.key_points:
        assert normalise(text[point.start : point.end]) == point.text
        if not digest.too_short:
            assert point.text in body  # a verbatim sentence of the input
    if digest.too_short:
        assert [p.text for p in digest.key_points] == ([normalise(text)] if text.strip() else [])
    order = [p.start for p in digest.key_points]
    assert order == sorted(order)  # article order
    assert len(set(order)) == len(order)
    assert digest.reading_minutes >= 0
    assert digest.word_count >= 0
    assert len(digest.keywords) <= 8


@SETTINGS
@given(text=TEXTS)
def test_same_input_same_output(text: str) -> None:
    assert summarize(text) == summarize(text)


@SETTINGS
@given(text=TEXTS)
def test_segmentation_is_exact(text: str) -> None:
    sentences = split_sentences(text)
    ends = [0]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text
        assert sentence.text == sentence.text.strip()
        assert sentence.start >= ends[-1]  # in order, never overlapping
        ends.append(sentence.end)
    indices = [s.index for s in sentences if not s.is_heading]
    assert indices == list(range(len(indices)))


@pytest.mark.parametrize("text", ["\ud800 lone surrogate. And more text here.", "\x00\x01. ." * 50])
def test_odd_strings_do_not_hit_the_safety_net(text: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.digest"):
        summarize(text)
    assert not caplog.records
