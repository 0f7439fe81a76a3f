"""Paged embeds: ◀ and ▶ buttons for the invoker (/feed list, /feed status, /search)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.render.failures import BriefingView
from bot.render.limits import fit_embed
from bot.render.reply import reply

log = logging.getLogger(__name__)

PAGE_TIMEOUT_SECONDS = 600.0


class Pages(BriefingView):
    """Shows one embed of ``pages`` at a time; only the user who asked can turn the pages."""

    def __init__(self, pages: Sequence[discord.Embed], *, owner_id: int) -> None:
        super().__init__(timeout=PAGE_TIMEOUT_SECONDS)
        self.pages = [fit_embed(page) for page in pages]  # pages are turned by editing
        self.owner_id = owner_id
        self.index = 0
        self.origin: discord.Interaction | None = None  # the command whose reply shows the pages
        for number, page in enumerate(self.pages, start=1):
            page.set_footer(text=f"Page {number} of {len(self.pages)}")
        self._sync_buttons()

    @property
    def current(self) -> discord.Embed:
        """The page on show."""
        return self.pages[self.index]

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the user who ran the command turns its pages."""
        if interaction.user.id == self.owner_id:
            return True
        await reply(interaction, "These pages belong to someone else: run the command yourself.")
        return False

    @discord.ui.button(label="Previous", emoji="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button[Pages]) -> None:
        """Show the page before."""
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", emoji="▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[Pages]) -> None:
        """Show the page after."""
        await self._turn(interaction, 1)

    async def on_timeout(self) -> None:
        """Take the buttons away once they no longer work."""
        if self.origin is None:
            return
        try:
            await self.origin.edit_original_response(view=None)
        except discord.HTTPException as exc:
            log.debug("could not remove the page buttons: %s", exc)

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1


def chunked(lines: Sequence[str], *, per_page: int, max_chars: int = 3500) -> list[list[str]]:
    """Split ``lines`` into pages of at most ``per_page`` lines and ``max_chars`` characters."""
    pages: list[list[str]] = []
    page: list[str] = []
    size = 0
    for line in lines:
        if page and (len(page) >= per_page or size + len(line) > max_chars):
            pages.append(page)
            page, size = [], 0
        page.append(line)
        size += len(line) + 1
    if page:
        pages.append(page)
    return pages


async def send_pages(interaction: discord.Interaction, pages: Sequence[discord.Embed]) -> None:
    """Answer privately with ``pages``: one embed, or the first of several with page buttons."""
    if len(pages) == 1:
        await reply(interaction, embed=pages[0])
        return
    view = Pages(pages, owner_id=interaction.user.id)
    view.origin = interaction
    await reply(interaction, embed=view.current, view=view)
