"""Subscription filters and content fingerprints: pure functions, no database."""

from __future__ import annotations

import pytest

from bot.store import FilterError, Filters, fingerprint
from bot.store.filters import decide, judge

TEXT = "Central bank raises rates. The C++ committee met; AI researchers said nothing."


@pytest.mark.parametrize(
    ("include", "exclude", "accepted"),
    [
        ([], [], True),
        (["bank"], [], True),
        (["BANK"], [], True),  # case-insensitive
        (["ban"], [], False),  # whole words only
        (["ai"], [], True),
        (["aid"], [], False),
        (["sai"], [], False),  # "said" does not contain the word "sai"
        (["C++"], [], True),  # terms ending in symbols still match
        (["raises rates"], [], True),  # phrases
        (["/rais(e|ing)s?/"], [], True),  # regular expressions between slashes
        (["/^The/"], [], False),
        (["sport", "bank"], [], True),  # any include term
        (["bank"], ["committee"], False),  # an exclude term wins
        ([], ["weather"], True),
        ([" ", ""], ["  "], True),  # blank terms are dropped
    ],
)
def test_filters_accept(include: list[str], exclude: list[str], accepted: bool) -> None:
    assert Filters.build(include, exclude).accepts("Title", TEXT) is accepted


@pytest.mark.parametrize(
    ("include", "message"),
    [
        (["/(unclosed/"], "invalid regular expression"),
        (["x" * 201], "too long"),
        ([f"t{i}" for i in range(26)], "too many"),
    ],
)
def test_bad_filters_are_refused(include: list[str], message: str) -> None:
    with pytest.raises(FilterError, match=message):
        Filters.build(include)


def test_a_catastrophic_regex_gives_up_instead_of_stalling() -> None:
    # Exponential backtracking: without the timeout this would not return for days.
    filters = Filters.build(include=["/(a+)+$/"])
    assert not filters.accepts("a" * 40 + "!")


def test_filters_round_trip_through_json() -> None:
    filters = Filters.build(["ai", "/gpu/"], ["crypto"])
    assert Filters.from_json(filters.to_json()) == filters
    assert Filters().to_json() is None
    assert Filters.from_json(None) == Filters()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (
            ("Rates rise", "The bank raised rates today " * 3),
            ("RATES RISE!", "the bank raised rates today " * 3),
            True,
        ),
        (
            ("Café news", "Crème brûlée is back on the menu " * 2),
            ("Cafe news", "Creme brulee is back on the menu " * 2),
            True,
        ),
        (
            ("Rates rise", "The bank raised rates today " * 3),
            ("Rates rise", "The bank cut rates today " * 3),
            False,
        ),
        (
            ("Rates rise", "The bank raised rates today " * 3),
            ("Rates fall", "The bank raised rates today " * 3),
            False,
        ),
    ],
)
def test_fingerprint_identifies_the_same_text(
    a: tuple[str, str], b: tuple[str, str], same: bool
) -> None:
    assert (fingerprint(*a) == fingerprint(*b)) is same
    assert fingerprint(*a) is not None


def test_short_texts_have_no_fingerprint() -> None:
    assert fingerprint("Morning briefing", "Rain.") is None


def test_a_spent_budget_never_changes_what_a_keyword_decides() -> None:
    # A busy machine can use up an article's budget; keywords are literals and still decide,
    # while a regular expression left without time counts as not matching.
    keyword = Filters.build(include=["bank"])
    pattern = Filters.build(include=["/bank/"])
    assert decide([keyword, pattern], [(TEXT,)], budget=0.0) == [frozenset({0})]
    assert decide([keyword, pattern], [(TEXT,)]) == [frozenset({0, 1})]


@pytest.mark.parametrize(
    ("include", "exclude", "reason"),
    [
        ([], [], None),
        (["budget"], [], None),
        (
            ["sport", "/vot(e|ing)/"],
            [],
            "matched none of the include terms \u201csport\u201d, /vot(e|ing)/",
        ),
        ([], ["tax", "budget"], "matched the exclude term \u201cbudget\u201d"),
        (["budget"], ["weather", "/tax(es)?/"], "matched the exclude term /tax(es)?/"),
    ],
)
def test_a_rejection_names_the_deciding_term(
    include: list[str], exclude: list[str], reason: str | None
) -> None:
    filters = Filters.build(include, exclude)
    assert filters.rejection("The budget raises taxes", "") == reason
    assert filters.accepts("The budget raises taxes", "") is (reason is None)


def test_judge_gives_each_filters_reason_and_decide_agrees() -> None:
    filters = [Filters(), Filters.build(exclude=["rain"]), Filters.build(include=["sun"])]
    texts = [("Rain again",), ("Sun and rain",), ("Sun",)]
    judged = judge(filters, texts)
    assert judged == [
        (
            None,
            "matched the exclude term \u201crain\u201d",
            "matched none of the include terms \u201csun\u201d",
        ),
        (None, "matched the exclude term \u201crain\u201d", None),
        (None, None, None),
    ]
    assert decide(filters, texts) == [frozenset({0}), frozenset({0, 2}), frozenset({0, 1, 2})]
