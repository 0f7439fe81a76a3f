"""Sentences that are not statements are never key points: questions, list introductions,
calls to action, captions; checked on small texts and on the extraction set's real pages."""

from __future__ import annotations

import json

import pytest

from bot.digest import summarize
from bot.digest.features import is_statement
from tests.conftest import shared_path

CLOSERS = "\"'”’»)] "


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("The council approved the plan on Tuesday.", True),
        ('"We will appeal," the club said.', True),
        ("Prices rose by 4 percent!", True),
        ("Here are some of the highlights:", False),
        ("What does this mean for your savings?", False),
        ('Who will pay for it?"', False),
        ("Read more: the council's plan in full.", False),
        ("Sign up for our newsletter.", False),
        ("Click here to see the full list of winners.", False),
        ("Fallen trees block a road near the town after the storm on Sunday afternoon", False),
        ("Shares in the company fell 6 percent on Monday.", True),
        ("Following the ruling, the minister resigned.", True),
        ("政府は月曜日に新しい予算を発表した。", True),
    ],
)
def test_statement_form(text: str, statement: bool) -> None:
    assert is_statement(text) is statement


ARTICLE = """The city council voted on Tuesday to close the central library for repairs.
Readers have asked what this means for them. What will happen to the books?
The central library building seen from Main Street on a rainy afternoon last week
The building, which opened in 1904, has a leaking roof and no working heating, officials said.
Here is what the council decided:
A temporary library will open in the old post office on Main Street in the spring.
Staff said most of the collection would move there, but rare books will be stored elsewhere.
Sign up for our weekly newsletter about the city council and its library decisions.
Read more about the central library and its long history in our archive of council stories.
The old reading room of the central library, photographed in 1910 by an unknown photographer"""


@pytest.mark.parametrize("count", range(1, 11))
def test_non_statements_are_never_key_points(count: int) -> None:
    points = [p.text for p in summarize(ARTICLE, max_points=count).key_points]
    assert len(points) == min(count, 5)  # the article's five statements at most
    for point in points:
        assert is_statement(point), point
        assert not point.startswith(("Sign up", "Read more", "Here is", "The central", "The old"))


def test_no_key_point_is_a_question_or_list_introduction_on_real_pages() -> None:
    path = shared_path("extraction", "data.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 181
    offending = []
    for row in rows:
        for point in summarize(row["gold"]).key_points:
            if point.text.rstrip(CLOSERS).endswith((":", "?")):
                offending.append((row["id"][:12], point.text[-60:]))
    assert not offending
