"""One article as a Discord embed: linked title, key points, feed name, time and thumbnail.

Everything taken from a feed goes through :func:`escape` (Markdown escaped, mentions
neutralised) and every part is cut to Discord's limits, so a hostile or huge article still
renders as one valid embed. Posts are also sent with ``AllowedMentions.none()``: the textual
neutralisation is the second line of defence.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord.utils import escape_markdown

from bot.render.view import ArticleView
from bot.store.rows import ArticleRow

log = logging.getLogger(__name__)

# Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
FIELDS_LIMIT = 25
EMBED_TOTAL_LIMIT = 6000  # all embeds of one message together
EMBEDS_PER_MESSAGE = 10
URL_LIMIT = 2048
THREAD_NAME_LIMIT = 100  # a thread's (a forum post's) name

COLOUR = discord.Colour(0x2F6FB3)
ZWSP = "\u200b"
ELLIPSIS = "…"
MORE_PREFIX = "briefing:more:"

_EVERYONE = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
# <@id>, <@!id>, <@&id>, <#id>; escape_markdown may have put backslashes in front of digits.
_ID_MENTION = re.compile(r"<(@[!&]?|#)(?=\\?\d)")


def escape(text: str) -> str:
    """Markdown-escape feed text and neutralise @everyone/@here and user/role/channel mentions."""
    text = escape_markdown(text)
    text = _EVERYONE.sub("@" + ZWSP, text)
    return _ID_MENTION.sub(lambda m: "<" + m.group(1) + ZWSP, text)


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)].rstrip()
    # A cut right after an escaping backslash would escape the ellipsis: drop it.
    if cut.endswith("\\") and not cut.endswith("\\\\"):
        cut = cut[:-1]
    return cut + ELLIPSIS


def bullets(points: list[str], limit: int) -> str:
    """Escaped key points as bullets within ``limit`` characters (whole points first)."""
    lines: list[str] = []
    used = 0
    for point in points:
        line = "• " + escape(" ".join(point.split()))
        separator = 1 if lines else 0
        room = limit - used - separator
        if len(line) > room:
            if room > 20 or (not lines and room > 0):  # a cut point is still worth showing
                lines.append(truncate(line, room))
            break
        lines.append(line)
        used += separator + len(line)
    return "\n".join(lines)


def embed_length(embed: discord.Embed) -> int:
    """The characters of ``embed`` that count towards Discord's 6,000 per message."""
    return len(embed)


def article_embed(
    article: ArticleRow | ArticleView, *, feed_title: str | None, points: int = 3
) -> discord.Embed:
    """An article as posted (and previewed): its first ``points`` key points, within every limit."""
    article = ArticleView.of(article)
    made = article.digest.key_points if article.digest is not None else ()
    key_points = [p.text for p in made[: max(0, points)]]
    if not key_points and article.summary.strip():
        key_points = [article.summary]
    return _embed(article, feed_title, key_points, tldr=None)


def more_embed(article: ArticleRow | ArticleView, *, feed_title: str | None) -> discord.Embed:
    """What "More" and ``/keypoints`` show: every key point and the TL;DR, within every limit."""
    article = ArticleView.of(article)
    digest = article.digest
    points = [p.text for p in digest.key_points] if digest is not None else []
    return _embed(
        article, feed_title, points or [article.summary], tldr=digest.tldr if digest else None
    )


def _embed(
    article: ArticleView, feed_title: str | None, points: list[str], *, tldr: str | None
) -> discord.Embed:
    title = truncate(escape(" ".join(article.title.split())) or "(untitled)", TITLE_LIMIT)
    embed = discord.Embed(title=title, url=_web_url(article.url), colour=COLOUR)
    embed.timestamp = article.published
    footer = truncate(escape(feed_title.strip()), FOOTER_LIMIT) if feed_title else ""
    if footer:
        embed.set_footer(text=footer)
    if (image := _web_url(article.image_url)) is not None:
        embed.set_thumbnail(url=image)
    tldr_text = truncate(escape(" ".join(tldr.split())), FIELD_VALUE_LIMIT) if tldr else ""
    if tldr_text:
        embed.add_field(name="TL;DR", value=tldr_text, inline=False)
    # The description gets what is left of the message's 6,000 characters.
    room = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - embed_length(embed))
    embed.description = bullets(points, room) or None
    return embed


def _web_url(url: str | None) -> str | None:
    """``url`` when Discord would accept it as a link or image (http(s), not too long)."""
    if url and url.startswith(("http://", "https://")) and len(url) <= URL_LIMIT:
        return url
    return None


def post_title(article: ArticleRow | ArticleView) -> str:
    """The name of an article's forum post: its title, as long as Discord allows."""
    title = " ".join(ArticleView.of(article).title.split()) or "Untitled"
    return truncate(title, THREAD_NAME_LIMIT)


def more_custom_id(article_id: int) -> str:
    """The custom id of an article's "More" button (stable across restarts)."""
    return f"{MORE_PREFIX}{article_id}"


class MoreButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.escape(MORE_PREFIX) + r"(?P<article_id>[0-9]{1,19})",
):
    """The "More" button of an instant post; works after a restart (a dynamic item).

    Clicking dispatches the ``briefing_more`` event ``(interaction, article_id)``: the cog that
    owns the store answers it, so rendering stays free of the database.
    """

    def __init__(self, article_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="More",
                style=discord.ButtonStyle.secondary,
                custom_id=more_custom_id(article_id),
            )
        )
        self.article_id = article_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> MoreButton:
        """Rebuild the button from a clicked custom id."""
        return cls(int(match["article_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to whoever listens for ``briefing_more``.

        A failing listener is answered by ``BriefingBot.on_error`` (the interaction is its
        first argument), as a failing command would be.
        """
        interaction.client.dispatch("briefing_more", interaction, self.article_id)


def more_view(article_id: int) -> discord.ui.View:
    """A view holding only the article's "More" button (not stored per message)."""
    # Imported here: failures -> reply -> limits imports this module's limits.
    from bot.render.failures import BriefingView  # noqa: PLC0415

    view = BriefingView(timeout=None)
    view.add_item(MoreButton(article_id))
    return view
