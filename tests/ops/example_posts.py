"""The README's example posts, rendered from the embeds Briefing really sends.

    .venv/bin/python -m tests.ops.example_posts     # rewrites the examples in README.md

The seed article and a second story go through the real digest engine and the real renderers
(an instant post, then a channel digest); ``test_readme.py`` fails when README.md is stale.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bot.digest import summarize
from bot.render.article import article_embed
from bot.render.digest import render_digest
from bot.schedules import ChannelDigest, FeedGroup
from bot.store import ArticleRow
from tests.conftest import SEED_ARTICLE
from tests.ops.readme import generated_section, write_generated_section
from tests.render.builders import article_row

BEGIN = "<!-- example-posts:begin (generated: python -m tests.ops.example_posts) -->"
END = "<!-- example-posts:end -->"
PUBLISHED = datetime(2017, 12, 11, 14, 5, tzinfo=UTC)
HARBOUR = """Councillors in Portwell voted on Tuesday to rebuild the harbour wall that two winter \
storms breached last year, approving a budget of £4.2m after months of debate.

The work will start in April and should be finished before the next storm season, the council \
said. Fishing boats have had to use the neighbouring port of Stanmouth since January.

Residents of the lower town, whose homes flooded twice, welcomed the decision. "We have waited \
long enough," said Mary Holt, who chairs the residents' association.

The government's coastal fund will pay half of the cost. The council will borrow the rest over \
twenty years, adding about £12 a year to the average council tax bill."""


def _article(ident: int, title: str, text: str, url: str, published: datetime) -> ArticleRow:
    digest = summarize(text, title=title)
    return replace(
        article_row(title=title, url=url, summary=""),
        id=ident,
        published=published,
        first_seen=published,
        text=text,
        text_source="page",
        language=digest.language,
        digest=digest,
    )


def sample_articles() -> tuple[ArticleRow, ArticleRow]:
    """The seed article and a harbour story, digested for real."""
    seed = _article(
        1,
        "Putin orders Syria pullout",
        SEED_ARTICLE.read_text(encoding="utf-8"),
        "https://news.example/world/putin-syria",
        PUBLISHED,
    )
    harbour = _article(
        2,
        "Portwell votes to rebuild its harbour wall",
        HARBOUR,
        "https://coast.example/portwell-harbour",
        PUBLISHED - timedelta(hours=3),
    )
    return seed, harbour


def embed_markdown(embed: discord.Embed) -> list[str]:
    """An embed as Markdown lines: linked title, description, fields, footer and time."""
    data: dict[str, Any] = dict(embed.to_dict())
    lines = [f"**[{data['title']}]({data['url']})**" if "url" in data else f"**{data['title']}**"]
    lines += data.get("description", "").splitlines()
    lines += [f"**{f['name']}** {f['value']}" for f in data.get("fields", [])]
    footer = (data.get("footer") or {}).get("text", "")
    stamp = embed.timestamp.strftime("%d %b %Y %H:%M UTC") if embed.timestamp else ""
    lines.append(f"<sub>{' · '.join(part for part in (footer, stamp) if part)}</sub>")
    return lines


def quoted(lines: list[str]) -> str:
    """Lines as one Markdown block quote (blank lines kept inside the quote)."""
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def examples() -> str:
    """The whole examples section body."""
    seed, harbour = sample_articles()
    instant = embed_markdown(article_embed(seed, feed_title="World News"))
    digest = ChannelDigest(
        channel_id=1,
        groups=(
            FeedGroup(1, "World News", (seed,)),
            FeedGroup(2, "Coast Courier", (harbour,)),
        ),
        delivery_ids={seed.id: 1, harbour.id: 2},
    )
    [post] = render_digest(digest, when=PUBLISHED + timedelta(hours=4))
    digest_lines = [post.content, ""]
    for embed in post.embeds:
        digest_lines += [*embed_markdown(embed), ""]
    return "\n".join(
        [
            "An **instant post**, one per article (the **More** button under it shows every key "
            "point and a TL;DR to whoever clicks):",
            "",
            quoted(instant),
            "",
            "A **scheduled digest**: what arrived since the last one, grouped by feed:",
            "",
            quoted(digest_lines[:-1]),
        ]
    )


def readme_examples() -> str:
    """The examples currently between the markers in README.md."""
    return generated_section(BEGIN, END)


if __name__ == "__main__":
    write_generated_section(BEGIN, END, examples())
