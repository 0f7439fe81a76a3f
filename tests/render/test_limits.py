"""Fitting replies to Discord's limits: each part, each embed, the message total."""

from __future__ import annotations

import discord

from bot.render.limits import (
    CONTENT,
    DESCRIPTION,
    EMBED_TOTAL,
    EMBEDS,
    FIELD_VALUE,
    TITLE,
    fit_content,
    fit_embeds,
)


def big_embed(n: int = 0) -> discord.Embed:
    """An embed over every per-part limit."""
    embed = discord.Embed(title=f"{n} " + "t" * 400, description="d" * 5000)
    for i in range(30):
        embed.add_field(name=f"field {i}", value="v" * 2000)
    embed.set_footer(text="f" * 3000)
    return embed


def test_content_is_cut_to_2000_with_an_ellipsis() -> None:
    assert fit_content(None) is None
    assert fit_content("short") == "short"
    fitted = fit_content("x" * 10_000)
    assert fitted is not None
    assert len(fitted) == CONTENT
    assert fitted.endswith("…")


def test_each_part_of_an_embed_and_the_message_total_fit() -> None:
    [embed] = fit_embeds([big_embed()])
    assert len(embed.title or "") <= TITLE
    assert len(embed.description or "") <= DESCRIPTION
    assert all(len(field.value or "") <= FIELD_VALUE for field in embed.fields)
    assert len(embed) <= EMBED_TOTAL
    assert (embed.title or "").startswith("0 ")  # cut at the end, the start kept


def test_more_than_ten_embeds_or_6000_characters_keep_the_first_whole() -> None:
    small = [discord.Embed(title=f"{n}", description="d" * 100) for n in range(15)]
    fitted = fit_embeds(small)
    assert [e.title for e in fitted] == [str(n) for n in range(EMBEDS)]
    large = [discord.Embed(title=f"{n}", description="d" * 4000) for n in range(3)]
    fitted = fit_embeds(large)
    assert [e.title for e in fitted] == ["0"]
    assert sum(len(e) for e in fitted) <= EMBED_TOTAL


def test_an_embed_within_the_limits_is_unchanged() -> None:
    embed = discord.Embed(title="Title", description="Body")
    embed.add_field(name="a", value="b")
    before = embed.to_dict()
    assert fit_embeds([embed])[0].to_dict() == before
