"""split_sentences on the hard cases of real news text, one row per behaviour."""

from __future__ import annotations

import pytest

from bot.digest import Sentence, split_sentences


def body(text: str) -> list[str]:
    """The non-heading sentences of ``text``."""
    return [s.text for s in split_sentences(text) if not s.is_heading]


CASES = [
    pytest.param(
        "Mr. Smith met Dr. Jones on Monday. They talked.",
        ["Mr. Smith met Dr. Jones on Monday.", "They talked."],
        id="titles",
    ),
    pytest.param(
        "The U.S. Army and the U.N. agreed. The talks went on.",
        ["The U.S. Army and the U.N. agreed.", "The talks went on."],
        id="dotted-acronyms-inside",
    ),
    pytest.param(
        "Troops are leaving the U.S. The move surprised allies.",
        ["Troops are leaving the U.S.", "The move surprised allies."],
        id="dotted-acronym-ends-sentence",
    ),
    pytest.param(
        "The attacks of Sept. 11 changed policy. Officials agreed.",
        ["The attacks of Sept. 11 changed policy.", "Officials agreed."],
        id="month-abbreviation",
    ),
    pytest.param(
        "He lives at No. 10 Downing Street. Visitors queue outside.",
        ["He lives at No. 10 Downing Street.", "Visitors queue outside."],
        id="number-abbreviation",
    ),
    pytest.param(
        "John F. Kennedy and J. R. R. Tolkien were named. Both are famous.",
        ["John F. Kennedy and J. R. R. Tolkien were named.", "Both are famous."],
        id="initials",
    ),
    pytest.param(
        "The firm lost $10.9bn, or 3.5% of sales. Shares fell 2.4 points.",
        ["The firm lost $10.9bn, or 3.5% of sales.", "Shares fell 2.4 points."],
        id="decimals-and-money",
    ),
    pytest.param(
        '"We have not seen anything like it so far," he said. The crowd cheered.',
        ['"We have not seen anything like it so far," he said.', "The crowd cheered."],
        id="quotation-with-comma",
    ),
    pytest.param(
        '"Is it over?" she asked. "Not yet!" he replied. Nobody moved.',
        ['"Is it over?" she asked.', '"Not yet!" he replied.', "Nobody moved."],
        id="quotation-with-question-and-exclamation",
    ),
    pytest.param(
        "He said “the war is over.” Then he left.",
        ["He said “the war is over.”", "Then he left."],
        id="full-stop-inside-closing-quote",
    ),
    pytest.param(
        "I was thinking ... maybe not. The answer came later... Everyone waited.",
        ["I was thinking ... maybe not.", "The answer came later...", "Everyone waited."],
        id="ellipses",
    ),
    pytest.param(
        "Shares rose (by 5%.) Analysts were surprised. Really? Yes!",
        ["Shares rose (by 5%.)", "Analysts were surprised.", "Really?", "Yes!"],
        id="bracket-question-exclamation",
    ),
    pytest.param(
        "Apple Inc. sold more phones. The Smith Corp. board met on Monday.",
        ["Apple Inc. sold more phones.", "The Smith Corp. board met on Monday."],
        id="company-abbreviations",
    ),
    pytest.param(
        "The meeting starts at 9 a.m. Monday in Paris. It ends at noon.",
        ["The meeting starts at 9 a.m. Monday in Paris.", "It ends at noon."],
        id="am-pm",
    ),
    pytest.param(
        "Der Vertrag wurde z.B. von Dr. Müller unterschrieben. Er gilt ab Mai.",
        ["Der Vertrag wurde z.B. von Dr. Müller unterschrieben.", "Er gilt ab Mai."],
        id="german-abbreviations",
    ),
    pytest.param(
        "The minister resigned.\nHer deputy takes over.",
        ["The minister resigned.", "Her deputy takes over."],
        id="line-break-after-full-stop",
    ),
    pytest.param(
        "The agreement was signed by the representatives of twenty countries\n"
        "and takes effect next year.",
        [
            "The agreement was signed by the representatives of twenty countries\n"
            "and takes effect next year."
        ],
        id="wrapped-line-joined",
    ),
    pytest.param(
        "Pictured is the party leader Nigel Farage The study found strong support.",
        ["Pictured is the party leader Nigel Farage", "The study found strong support."],
        id="glued-photo-caption",
    ),
    pytest.param("", [], id="empty"),
    pytest.param("   \n\n  ", [], id="whitespace-only"),
    pytest.param(
        "a long line without final punctuation that runs on and on " * 3, None, id="run-on"
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sentences(text: str, expected: list[str] | None) -> None:
    got = body(text)
    if expected is None:  # run-on text: one sentence, as is
        assert got == [text.strip()]
    else:
        assert got == expected


def test_offsets_point_into_the_text() -> None:
    text = "  Mr. Smith left.\n\nHe came back on Monday. Then he left again!  "
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text


def test_sub_headings_are_headings_and_open_sections() -> None:
    text = (
        "Russia will withdraw most of its troops, officials said.\n"
        "Backing Assad\n"
        "Russia entered the war in 2015.\n"
        "Mission ‘accomplished’\n"
        "The ministry said the mission was over.\n"
    )
    got = [(s.text, s.is_heading, s.section, s.index) for s in split_sentences(text)]
    assert got == [
        ("Russia will withdraw most of its troops, officials said.", False, 0, 0),
        ("Backing Assad", True, 1, -1),
        ("Russia entered the war in 2015.", False, 1, 1),
        ("Mission ‘accomplished’", True, 2, -1),
        ("The ministry said the mission was over.", False, 2, 2),
    ]


def test_bullet_lines_are_sentences_without_their_marker() -> None:
    text = "What we know:\n- Three people were hurt\n* The road is closed\n1. Police are there\n"
    got = split_sentences(text)
    assert [s.text for s in got] == [
        "What we know:",
        "Three people were hurt",
        "The road is closed",
        "Police are there",
    ]
    assert not any(s.is_heading for s in got)
    assert all(text[s.start : s.end] == s.text for s in got)


def test_paragraphs_are_numbered() -> None:
    text = "First one. Still first.\n\nSecond paragraph here.\nThird paragraph."
    got = [(s.text, s.paragraph) for s in split_sentences(text)]
    assert got == [
        ("First one.", 0),
        ("Still first.", 0),
        ("Second paragraph here.", 1),
        ("Third paragraph.", 2),
    ]


def test_sentence_is_frozen() -> None:
    sentence = split_sentences("One sentence here.")[0]
    assert sentence == Sentence("One sentence here.", 0, 18, 0, False, 0, 0)
    with pytest.raises(AttributeError):
        sentence.text = "changed"  # type: ignore[misc]
