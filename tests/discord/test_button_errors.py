"""A failing button fails as a failing command does: a private apology with an incident id and
one logged traceback carrying that id.

The failures are real: the "More" button's article table is renamed under the bot (as in
test_command_errors), and Discord refuses the page turn of a paged reply.
"""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import pytest

from bot.render.article import more_view
from tests.discord.feeds_helpers import buttons, run, text_of
from tests.discord.test_command_errors import INCIDENT, break_table, start
from tests.fakediscord import FakeDiscord, Message
from tests.fixtures.bot import StartBot

CALLBACK_ROUTE = "POST /interactions/{webhook_id}/{webhook_token}/callback"


def the_traceback(caplog: pytest.LogCaptureFixture, incident: str) -> logging.LogRecord:
    """The one record logged with a traceback; it names ``incident``."""
    tracebacks = [r for r in caplog.records if r.exc_info is not None]
    assert len(tracebacks) == 1, [r.getMessage() for r in tracebacks]
    assert incident in tracebacks[0].getMessage()
    return tracebacks[0]


def apology(message: Message) -> str:
    """The incident id of a short private apology."""
    assert message.ephemeral
    assert message.content.startswith("Sorry, something went wrong on my side")
    assert len(message.content) < 300
    [incident] = INCIDENT.findall(message.content)
    return str(incident)


async def test_a_failing_more_button_apologises_privately_and_logs_one_traceback(
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    running = await start(start_bot, fake_discord, tmp_path, extensions=("cogs.posting",))
    [seed] = await running.runtime.store.recent_articles(fake_discord.guild.id, limit=1)
    channel = running.bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send(embed=discord.Embed(title=seed.title), view=more_view(seed.id))
    [post] = await fake_discord.wait_for_messages(fake_discord.channel, 1)
    break_table(tmp_path / "data", "articles")
    caplog.set_level(logging.INFO)
    click = await fake_discord.click(post, buttons(post)["More"]["custom_id"])
    incident = apology(await click.original_message(timeout=10))
    record = the_traceback(caplog, incident)
    assert "on_briefing_more failed" in record.getMessage()
    assert "gone" not in text_of(await click.original_message())


async def test_a_failing_page_button_apologises_privately_and_logs_one_traceback(
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    running = await start(start_bot, fake_discord, tmp_path)
    store = running.runtime.store
    for n in range(12):
        feed = await store.add_feed(f"http://example.org/{n:02}.xml", title=f"Feed {n:02}")
        await store.subscribe(feed.id, fake_discord.guild.id, fake_discord.channel.id,
                              mode="instant", added_by=None)  # fmt: skip
    listing = await run(fake_discord, "feed list", {})
    assert "Page 1 of 2" in text_of(listing)
    caplog.set_level(logging.INFO)
    # Discord refuses the page turn (the edit of the message): the bot's handler fails.
    fake_discord.inject_error(400, 50035, "Invalid Form Body", route=CALLBACK_ROUTE)
    click = await fake_discord.click(listing, buttons(listing)["Next"]["custom_id"])
    incident = apology(await click.original_message(timeout=10))
    record = the_traceback(caplog, incident)
    assert "the 'Next' button failed" in record.getMessage()
    assert "Page 1 of 2" in text_of(listing)  # the page did not turn
