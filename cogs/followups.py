"""Follow-ups on what Briefing has read: /ask, /keypoints, /search and the "Key points" menu.

Thin: each command reads the store (or the answer engine's index, kept up to date by a job of
this cog), then renders. Answers are verbatim sentences with their article's link.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer import DEFAULT_DAYS, Answer, AnswerEngine
from bot.backlog import INTERACTIVE_SECONDS
from bot.render.article import COLOUR, MORE_PREFIX, escape, more_embed, truncate
from bot.render.reply import reply
from bot.store.rows import ArticleRow, SearchHit
from cogs._jobs import add_interval_job, remove_job
from cogs._pages import chunked, send_pages

if TYPE_CHECKING:
    from bot.app import BriefingBot

log = logging.getLogger(__name__)

JOB_ID = "answer-index"
INDEX_EVERY_SECONDS = 30
KEYPOINT_DAYS = 30  # how far back /keypoints autocomplete looks
SEARCH_RESULTS = 50
SEARCH_PER_PAGE = 10
NOTHING = "Nothing relevant in the last {days} days of this server's feeds."
# What Discord lets users type (it refuses longer input itself).
Question = app_commands.Range[str, 1, 300]
Query = app_commands.Range[str, 1, 200]
FeedRef = app_commands.Range[str, 1, 100]  # an autocomplete choice's value
ArticleRef = app_commands.Range[str, 1, 200]  # an autocomplete choice's value, or a title


class Followups(commands.Cog):
    """``/ask``, ``/keypoints``, ``/search`` and the message menu "Key points"."""

    def __init__(self, bot: BriefingBot) -> None:
        self.bot = bot
        self.store = bot.runtime.store
        self.clock = bot.runtime.clock
        self.backlog = bot.runtime.backlog()
        self.engine = AnswerEngine()
        self.menu = app_commands.ContextMenu(name="Key points", callback=self.key_points_menu)

    async def cog_load(self) -> None:
        """Keep the answer index up to date with the store; add the message menu."""
        add_interval_job(self.bot.scheduler, JOB_ID, self.catch_up, INDEX_EVERY_SECONDS)
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        """Remove the index job and the message menu."""
        remove_job(self.bot.scheduler, JOB_ID)
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def catch_up(self) -> None:
        """Analyse the articles stored since the last run into the database's answer index."""
        added = await self.engine.catch_up(self.store)
        if added:
            log.debug("answer index: %d article(s) added", added)

    @app_commands.command(
        name="ask",
        description=(
            f"Ask about the news this server follows (last {DEFAULT_DAYS} days unless days is set)"
        ),
    )
    @app_commands.describe(
        question="Your question",
        feed="Only this feed (start typing)",
        days=f"How far back, by publication or arrival (default {DEFAULT_DAYS})",
    )
    @app_commands.guild_only()
    async def ask(
        self,
        interaction: discord.Interaction,
        question: Question,
        feed: FeedRef | None = None,
        days: app_commands.Range[int, 1, 365] = DEFAULT_DAYS,
    ) -> None:
        """Quote up to three sentences of recent articles that answer ``question``."""
        assert interaction.guild is not None  # guild_only
        answers = await self.engine.ask(
            self.store,
            question,
            guild_id=interaction.guild.id,
            feed_id=_feed_id(feed),
            days=days,
            now=self.clock(),
        )
        if not answers:
            await reply(interaction, NOTHING.format(days=days))
            return
        await reply(interaction, embed=answers_embed(question, answers), ephemeral=False)

    @app_commands.command(name="keypoints", description="Key points of a recent article")
    @app_commands.describe(article="Start typing its title", private="Only you see the answer")
    @app_commands.guild_only()
    async def keypoints(
        self, interaction: discord.Interaction, article: ArticleRef, private: bool = False
    ) -> None:
        """Every key point, the TL;DR and the link of one article of this server's feeds."""
        assert interaction.guild is not None  # guild_only
        row = await self._guild_article(interaction.guild.id, article)
        if row is None:
            await reply(
                interaction,
                "I found no such article in this server's feeds: pick one from the suggestions.",
            )
            return
        # A first poll's item gets its digest now.
        [row] = await self.backlog.complete([row], wait_at_most=INTERACTIVE_SECONDS)
        await reply(interaction, embed=more_embed(row, feed_title=None), ephemeral=private)

    @app_commands.command(
        name="search",
        description="Search the articles this server has read (last 30 days unless days is set)",
    )
    @app_commands.describe(
        query="Words to look for",
        feed="Only this feed (start typing)",
        days="How far back, by publication or arrival (default 30)",
    )
    @app_commands.guild_only()
    async def search(
        self,
        interaction: discord.Interaction,
        query: Query,
        feed: FeedRef | None = None,
        days: app_commands.Range[int, 1, 365] = 30,
    ) -> None:
        """Matching articles ranked by relevance and freshness, a page at a time."""
        assert interaction.guild is not None  # guild_only
        hits = await self.store.search_articles(
            query,
            guild_id=interaction.guild.id,
            feed_id=_feed_id(feed),
            since=self.clock() - timedelta(days=days),
            limit=SEARCH_RESULTS,
        )
        if not hits:
            await reply(interaction, f"No article of the last {days} days matches {escape(query)}.")
            return
        await send_pages(interaction, search_pages(query, hits))

    async def key_points_menu(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """The key points of the articles a digest or instant post shows, to the user alone."""
        rows = await self._articles_of(message)
        if not rows:
            await reply(interaction, "This message shows no article I have stored.")
            return
        rows = await self.backlog.complete(rows, wait_at_most=INTERACTIVE_SECONDS)
        await reply(interaction, embeds=[more_embed(row, feed_title=None) for row in rows])

    @ask.autocomplete("feed")
    @search.autocomplete("feed")
    async def feed_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """This server's feeds whose title or address contains what was typed."""
        if interaction.guild is None:
            return []
        subs = await self.store.list_subscriptions(guild_id=interaction.guild.id)
        seen: dict[int, str] = {}
        for sub in subs:
            label = sub.feed_title or sub.feed_url
            if current.lower() in label.lower():
                seen.setdefault(sub.feed_id, truncate(label, 100))
        return [app_commands.Choice(name=n, value=str(f)) for f, n in list(seen.items())[:25]]

    @keypoints.autocomplete("article")
    async def article_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Recent articles of this server's feeds whose title contains what was typed."""
        if interaction.guild is None:
            return []
        rows = await self.store.recent_articles(
            interaction.guild.id,
            since=self.clock() - timedelta(days=KEYPOINT_DAYS),
            title_contains=current.strip() or None,
            limit=25,
        )
        return [app_commands.Choice(name=truncate(r.title, 100), value=str(r.id)) for r in rows]

    async def _guild_article(self, guild_id: int, ref: str) -> ArticleRow | None:
        """The article named by ``ref`` (an id from autocomplete, or a title) in the guild."""
        since = self.clock() - timedelta(days=KEYPOINT_DAYS)
        rows = await self.store.recent_articles(guild_id, since=since, limit=500)
        if ref.strip().isdigit():
            return next((r for r in rows if r.id == int(ref)), None)
        matches = [r for r in rows if ref.strip().lower() in r.title.lower()]
        return matches[0] if len(matches) == 1 else None

    async def _articles_of(self, message: discord.Message) -> list[ArticleRow]:
        """The stored articles a message shows: by its "More" buttons, else its embed titles."""
        custom_ids = [
            child.custom_id or ""
            for row in message.components
            if isinstance(row, discord.ActionRow)
            for child in row.children
            if isinstance(child, discord.Button)
        ]
        ids = [int(c[len(MORE_PREFIX) :]) for c in custom_ids if _is_more(c)]
        guild_id = message.guild.id if message.guild is not None else None
        found_rows = [await self.store.get_article(i, guild_id=guild_id) for i in ids]
        rows = [r for r in found_rows if r is not None]
        if rows or message.guild is None:
            return rows
        for embed in message.embeds:
            found = await self.store.recent_articles(
                message.guild.id, title_contains=embed.title or None, limit=5
            )
            rows += [r for r in found if r.url == embed.url or r.title == embed.title][:1]
        return rows


def _is_more(custom_id: str) -> bool:
    """Whether ``custom_id`` is a "More" button's (which names its article)."""
    return custom_id.startswith(MORE_PREFIX) and custom_id[len(MORE_PREFIX) :].isdigit()


def _feed_id(value: str | None) -> int | None:
    """The feed id an autocomplete choice carries (None when no feed was chosen)."""
    return int(value) if value and value.strip().isdigit() else None


def answers_embed(question: str, answers: list[Answer]) -> discord.Embed:
    """The answers as quotes, each with its article's linked title and date."""
    embed = discord.Embed(title=truncate(escape(question), 256), colour=COLOUR)
    parts = []
    for answer in answers:
        source = escape(answer.article.title) or "(untitled)"
        if answer.article.link:
            source = f"[{source}]({answer.article.link})"
        parts.append(f"> {truncate(escape(answer.text), 1000)}\n— {source}{_date(answer)}")
    embed.description = truncate("\n\n".join(parts), 4096)
    embed.set_footer(text="Quoted from the articles; nothing is paraphrased.")
    return embed


def _date(answer: Answer) -> str:
    published: datetime | None = answer.article.published
    return f", {published:%d %b %Y}" if published else ""


def search_pages(query: str, hits: list[SearchHit]) -> list[discord.Embed]:
    """Search results as pages of linked titles with their dates."""
    lines = []
    for hit in hits:
        title = escape(" ".join(hit.title.split())) or "(untitled)"
        link = f"[{truncate(title, 200)}]({hit.url})" if hit.url else truncate(title, 200)
        lines.append(f"{link} · {hit.published:%d %b %Y}")
    header = truncate(f"Search: {escape(query)}", 256)
    return [
        discord.Embed(title=header, description="\n".join(page), colour=COLOUR)
        for page in chunked(lines, per_page=SEARCH_PER_PAGE)
    ]


async def setup(bot: BriefingBot) -> None:
    """Add the cog (discord.py extension entry point)."""
    await bot.add_cog(Followups(bot))
