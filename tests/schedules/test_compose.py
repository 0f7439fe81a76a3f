"""Composing a channel's digest: grouping by feed, ranking by freshness, cut-off."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest

from bot.schedules import compose, timezone_choices
from tests.schedules.builders import T0, delivery, hours


def test_grouped_by_feed_freshest_first() -> None:
    rows = [
        delivery(1, feed_id=1, feed_title="Alpha", published=T0 - hours(5)),
        delivery(2, feed_id=2, feed_title="Beta", published=T0 - hours(1)),
        delivery(3, feed_id=1, feed_title="Alpha", published=T0 - hours(2)),
        delivery(4, feed_id=3, feed_title="Gamma", published=T0 - hours(3)),
        delivery(5, feed_id=2, feed_title="Beta", published=T0 - hours(4)),
    ]
    digest = compose(100, rows)
    assert [(g.title, [a.id for a in g.articles]) for g in digest.groups] == [
        ("Beta", [2, 5]),  # its freshest article is the freshest of all
        ("Alpha", [3, 1]),
        ("Gamma", [4]),
    ]
    assert digest.count == 5
    assert digest.delivery_ids == {n: 1000 + n for n in range(1, 6)}


def test_leaves_out_other_channels_late_posts_and_repeats() -> None:
    rows = [
        delivery(1),
        delivery(2, channel_id=200),  # another channel's
        delivery(3, created_at=T0 + hours(1)),  # queued after the run was due
        delivery(1),  # the same article twice
    ]
    digest = compose(100, rows, cutoff=T0)
    assert [a.id for g in digest.groups for a in g.articles] == [1]


def test_posts_of_removed_subscriptions_and_ties() -> None:
    rows = [
        delivery(1, feed_id=None, feed_title=None),
        delivery(2, feed_id=7, feed_title="Beta"),
        delivery(3, feed_id=6, feed_title="alpha"),
    ]
    digest = compose(100, rows)
    # All equally fresh: feeds by name; a removed subscription's posts under "Other news".
    assert [g.title for g in digest.groups] == ["alpha", "Beta", "Other news"]


def test_empty() -> None:
    assert compose(100, []).count == 0


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("paris", "Europe/Paris"),
        ("Europe/Par", "Europe/Paris"),
        ("new y", "America/New_York"),
        ("buenos", "America/Argentina/Buenos_Aires"),
        ("utc", "UTC"),
    ],
)
def test_timezone_choices(query: str, first: str) -> None:
    assert timezone_choices(query, available_timezones())[0] == first


def test_timezone_choices_are_bounded() -> None:
    names = sorted(available_timezones())
    assert len(timezone_choices("", names)) == 25
    assert len(timezone_choices("europe", names)) == 25
    assert timezone_choices("atlantis", names) == []
