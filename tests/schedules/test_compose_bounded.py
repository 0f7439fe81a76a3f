"""A digest bounded by the channel's maximum: the best articles shown, the rest named "N more"."""

from __future__ import annotations

from bot.render.digest import render_digest
from bot.schedules import compose
from tests.schedules.builders import T0, delivery, hours


def test_without_a_maximum_every_article_is_shown() -> None:
    rows = [delivery(n, published=T0 - hours(n)) for n in range(1, 6)]
    digest = compose(100, rows)
    assert (digest.count, digest.more, digest.left_out) == (5, 0, ())


def test_the_freshest_are_kept_and_the_rest_named() -> None:
    rows = [delivery(n, published=T0 - hours(n)) for n in range(1, 6)]
    digest = compose(100, rows, maximum=2)
    assert [a.id for g in digest.groups for a in g.articles] == [1, 2]
    assert sorted(digest.left_out) == [1003, 1004, 1005]
    assert digest.more == 3
    [post] = render_digest(digest, when=T0)
    assert post.content.endswith("2 new articles from 1 feed · 3 more")
    assert post.delivery_ids == (1001, 1002)


def test_coverage_by_several_feeds_ranks_before_freshness() -> None:
    rows = [delivery(n, published=T0 - hours(n)) for n in range(1, 6)]
    digest = compose(100, rows, maximum=2, coverage={5: 3, 4: 2})
    assert sorted(a.id for g in digest.groups for a in g.articles) == [4, 5]
    assert digest.more == 3


def test_summarised_posts_count_in_n_more_and_a_catch_up_says_so() -> None:
    digest = compose(100, [delivery(1)], summarised=4)
    [post] = render_digest(digest, when=T0, title="Catch-up")
    assert post.content.startswith("\N{NEWSPAPER} **Catch-up · Monday 02 March 2026**")
    assert post.content.endswith("1 new article from 1 feed · 4 more")
