"""Amounts and past anchors: what the section selector counts as concrete and as background."""

from __future__ import annotations

import pytest

from bot.digest.concrete import amounts, in_past
from bot.digest.features import words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 2.7 million customers were affected.", 1),  # one amount, not three digits
        ("It includes €1.1 billion in aid for 40 companies.", 2),
        ("It would be at least eight years before the drug could reach patients.", 1),
        ("Prosecutors opened an investigation against two of the managers.", 1),
        ("The committee will meet on 12 June.", 0),  # a date
        ("The committee will meet on June 12.", 0),
        ("The law was passed in 2022.", 0),  # a year
        ("Hundreds of passengers spent the night at the station.", 0),  # an order of magnitude
        ("One of them said it may 5 times.", 1),  # "may" is not the month
        ("Nobody was hurt.", 0),
    ],
)
def test_amounts(text: str, expected: int) -> None:
    assert amounts(words(text)) == expected


@pytest.mark.parametrize(
    ("text", "past"),
    [
        ("First proposed in 2012, the road is meant to relieve congestion.", True),
        ("Factories closed in the 1990s.", True),
        ("The ministry announced last week that its mission was accomplished.", True),
        ("The border was drawn a century ago.", True),
        ("The court gave parliament until the end of June to pass a new law.", False),
        ("It could take up to ten years for fish populations to recover.", False),
        ("Talks will resume next week.", False),
    ],
)
def test_in_past(text: str, past: bool) -> None:
    assert in_past(words(text)) is past
