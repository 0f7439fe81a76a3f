"""Every request carrying the bot's token is charged to the global limit as it goes out:
discord.py's own retries too; interaction replies (which Discord does not count) are not."""

from __future__ import annotations

from bot.delivery import Outgoing, Sender, Target
from bot.delivery.wire import charged
from tests.discord.feeds_helpers import run
from tests.fakediscord import FakeDiscord
from tests.fakediscord.ratelimit import MESSAGES_ROUTE
from tests.fixtures.bot import StartBot

TOKEN_ROUTES = ("POST /interactions/", "/webhooks/")


def counted(fake: FakeDiscord) -> int:
    """Requests the fake counts against the bot's global limit (all but token routes)."""
    return sum(not any(m in (r.route or "") for m in TOKEN_ROUTES) for r in fake.server.requests)


async def test_retries_after_429s_and_5xx_are_charged_each_time(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=("cogs.help",))
    budget = running.bot.pacer.global_limit
    granted, requests = budget.granted, counted(fake_discord)
    fake_discord.inject_429(2, retry_after=0.05, is_global=True)
    fake_discord.inject_error(500, 0, "500: Internal Server Error")
    sender = Sender(running.bot, running.bot.pacer)
    target = Target(fake_discord.channel.id, fake_discord.guild.id)
    await sender.send(target, Outgoing(kind="post", nonce="wire-1", content="hello"))

    statuses = [r.status for r in fake_discord.requests_to(MESSAGES_ROUTE)]
    assert statuses == [429, 429, 500, 200]  # discord.py retried three times on its own
    assert counted(fake_discord) - requests == 4
    assert budget.granted - granted == 4  # one token per attempt, not one per message


async def test_interaction_replies_are_not_charged(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_bot(extensions=("cogs.help",))
    budget = running.bot.pacer.global_limit
    granted, requests = budget.granted, counted(fake_discord)
    before = len(fake_discord.server.requests)
    await run(fake_discord, "help", {}, user=fake_discord.member)
    replies = [r for r in fake_discord.server.requests[before:] if "/interactions/" in r.path]
    assert replies  # the answer went out, through the interaction's own route
    assert budget.granted - granted == counted(fake_discord) - requests


def test_only_bot_authorised_requests_are_charged() -> None:
    assert charged("Bot abc.def")
    assert not charged(None)
    assert not charged("")
    assert not charged("Bearer abc")
