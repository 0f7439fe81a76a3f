"""Rate limits: discord.py paces itself by the bucket headers; 429s (even storms) are retried."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import urllib.error
import urllib.request

import aiohttp
import discord
import pytest

from tests.fakediscord import MESSAGES_ROUTE, FakeDiscord, Limits
from tests.fakediscord.ratelimit import RateLimiter, Storm
from tests.fakediscord_tests._bots import DemoBot
from tests.fixtures.discord import MakeFake, running

FAST = Limits(message_limit=5, message_window=0.4)


async def test_burst_is_paced_by_bucket_headers(make_fake_discord: MakeFake) -> None:
    fake = await make_fake_discord(limits=FAST)
    bot = DemoBot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)
        await asyncio.gather(*(channel.send(f"post {i}") for i in range(10)))
    assert sorted(m.content for m in fake.messages(fake.channel)) == sorted(
        f"post {i}" for i in range(10)
    )
    assert fake.rate_limit_hits == []
    assert len(fake.requests_to(MESSAGES_ROUTE)) == 10


@pytest.mark.parametrize("is_global", [False, True])
async def test_injected_429_storm_is_retried_and_nothing_doubles(
    make_fake_discord: MakeFake, is_global: bool
) -> None:
    fake = await make_fake_discord(limits=FAST)
    bot = DemoBot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)
        fake.inject_429(4, retry_after=0.05, is_global=is_global)
        await asyncio.gather(*(channel.send(f"post {i}", nonce=f"n{i}") for i in range(6)))
    contents = [m.content for m in fake.messages(fake.channel)]
    assert sorted(contents) == sorted(f"post {i}" for i in range(6))
    assert [h.injected for h in fake.rate_limit_hits] == [True] * 4
    assert {h.scope for h in fake.rate_limit_hits} == {"global" if is_global else "user"}
    assert len(fake.requests_to(MESSAGES_ROUTE)) == 10


async def test_429_without_via_header_is_not_retried(
    bot: DemoBot, fake_discord: FakeDiscord
) -> None:
    fake_discord.inject_429(1, via=False)
    channel = bot.get_partial_messageable(fake_discord.channel.id)
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send("hi")
    assert caught.value.status == 429
    assert fake_discord.messages(fake_discord.channel) == []


async def post(session: aiohttp.ClientSession, url: str) -> aiohttp.ClientResponse:
    """POST a small message and read the body."""
    async with session.post(url, json={"content": "x"}) as response:
        await response.read()
        return response


async def test_route_bucket_headers_and_429_shape(fake_discord: FakeDiscord) -> None:
    url = f"{fake_discord.api_base}/channels/{fake_discord.channel.id}/messages"
    headers = {"Authorization": f"Bot {fake_discord.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        responses = [await post(session, url) for _ in range(5)]
        async with session.post(url, json={"content": "x"}) as refused:
            body = await refused.json(content_type=None)
            refused_headers = refused.headers
    assert [r.status for r in responses] == [200] * 5
    assert [r.headers["X-RateLimit-Remaining"] for r in responses] == ["4", "3", "2", "1", "0"]
    assert {r.headers["X-RateLimit-Limit"] for r in responses} == {"5"}
    assert 0 < float(responses[-1].headers["X-RateLimit-Reset-After"]) <= 5
    assert len({r.headers["X-RateLimit-Bucket"] for r in responses}) == 1
    assert refused.status == 429
    assert refused_headers["Content-Type"] == "application/json"
    assert refused_headers["Via"]
    assert refused_headers["X-RateLimit-Scope"] == "user"
    assert body["global"] is False
    assert 0 < body["retry_after"] <= 5
    assert len(fake_discord.rate_limit_hits) == 1
    assert len(fake_discord.messages(fake_discord.channel)) == 5


async def test_global_limit(make_fake_discord: MakeFake) -> None:
    fake = await make_fake_discord(limits=Limits(global_limit=3, global_window=5.0))
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        statuses = []
        for _ in range(4):
            async with session.get(f"{fake.api_base}/users/@me") as response:
                statuses.append(response.status)
                last = (response.headers, await response.json(content_type=None))
    assert statuses == [200, 200, 200, 429]
    assert last[0]["X-RateLimit-Global"] == "true"
    assert last[1]["global"] is True
    assert [h.scope for h in fake.rate_limit_hits] == ["global"]


def get_at(url: str, token: str, delays: list[float]) -> list[threading.Thread]:
    """One thread per GET, each sent ``delay`` seconds from now (outside the event loop)."""

    def get(delay: float) -> None:
        time.sleep(delay)
        request = urllib.request.Request(url, headers={"Authorization": f"Bot {token}"})
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=30).close()

    threads = [threading.Thread(target=get, args=(delay,)) for delay in delays]
    for thread in threads:
        thread.start()
    return threads


async def test_a_global_429_right_after_the_fakes_own_stall_is_not_charged_to_the_client(
    make_fake_discord: MakeFake,
) -> None:
    fake = await make_fake_discord(limits=Limits(global_limit=3, global_window=1.0))
    # Six requests 0.1 s apart reach the socket while the fake's loop is stalled: it counts
    # them together, three over its limit, though no second ever held more than three.
    senders = get_at(f"{fake.api_base}/users/@me", fake.token, [0.1 * k for k in range(6)])
    time.sleep(0.8)  # noqa: ASYNC251 (on purpose: the fake's loop, this test's, stalls)
    for sender in senders:
        await asyncio.to_thread(sender.join)
    hits = fake.rate_limit_hits
    assert [h.scope for h in hits] == ["global"] * 3
    assert all(h.fake_stall >= 0.5 and not h.earned for h in hits), hits
    assert fake.earned_429s == []


@pytest.mark.parametrize(
    ("stall", "injected", "earned"),
    [(0.0, False, True), (0.049, False, True), (0.05, False, False), (0.0, True, False)],
)
def test_a_429_is_the_clients_own_unless_injected_or_right_after_the_fakes_stall(
    stall: float, injected: bool, earned: bool
) -> None:
    limiter = RateLimiter(Limits(global_limit=1), stalled=lambda seconds: stall)
    if injected:
        limiter.inject(Storm(1, None, 0.05, is_global=True, via=True))
    decisions = [limiter.check("GET /users/@me", "", bot_auth=True) for _ in range(2)]
    assert [d.refused is not None for d in decisions] == (
        [True, False] if injected else [False, True]
    )
    assert [hit.earned for hit in limiter.hits] == [earned]
