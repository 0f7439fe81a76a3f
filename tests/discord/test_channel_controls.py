"""/channel controls end to end: the real bot and client against FakeDiscord, on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from bot.store import Store
from tests.discord.feeds_helpers import run, text_of
from tests.fakediscord import FakeDiscord
from tests.fixtures.bot import RunningBot, StartBot
from tests.poller.builders import Clock
from tests.render.builders import eventually
from tests.schedules.builders import article, hours

EXTENSIONS = ("cogs.posting", "cogs.digest", "cogs.channel", "cogs.feeds")
EVENING = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # Monday 21:00 in Berlin
WAIT = 60.0  # generous: two cores shared with other work


async def start(start_bot: StartBot, clock: Clock) -> RunningBot:
    return await start_bot(
        extensions=EXTENSIONS, clock=clock, digest_tick_seconds=0.1, delivery_idle_seconds=0.1
    )


async def instant_feed(store: Store, fake: FakeDiscord, title: str = "Alpha News") -> int:
    """A feed posting each article into #general as it arrives; returns its id."""
    slug = title.split(maxsplit=1)[0].lower()
    feed = await store.add_feed(f"http://127.0.0.1/{slug}.xml", title=title)
    await store.subscribe(
        feed.id, fake.guild.id, fake.channel.id, mode="instant", added_by=fake.admin.id
    )
    return feed.id


async def control(fake: FakeDiscord, name: str, options: dict[str, Any]) -> str:
    """Run a /channel command as the admin, about #general; its answer's text."""
    answer = await run(
        fake, f"channel {name}", {"channel": fake.channel.id, **options}, user=fake.admin
    )
    assert answer.ephemeral
    return text_of(answer)


async def explained(fake: FakeDiscord, url: str) -> str:
    """What /feed explain answers an admin about the article at ``url``."""
    answer = await run(fake, "feed explain", {"url": url}, user=fake.admin)
    assert answer.ephemeral
    return text_of(answer)


async def held(store: Store, channel_id: int, reason: str) -> int:
    """How many of the channel's pending posts are held for ``reason``."""
    return sum(r.held == reason for r in await store.held_deliveries(channel_id))


def runner_of(running: RunningBot) -> Any:
    # discord.py loads extensions as fresh modules: the cog is reached by name, untyped.
    cog: Any = running.bot.get_cog("Digests")
    assert cog is not None
    return cog.runner


async def test_quiet_hours_hold_every_post_until_one_catch_up_digest_at_seven(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock(EVENING)
    running = await start(start_bot, clock)
    store = running.runtime.store
    feed = await instant_feed(store, fake_discord)
    text = await control(
        fake_discord, "quiet", {"start": "22:00", "end": "07:00", "timezone": "Europe/Berlin"}
    )
    assert "quiet from 22:00 to 07:00 (Europe/Berlin)" in text

    # Before the quiet hours an article goes out at once.
    await store.store_articles(feed, [article(1, published=clock.now)], deliver=True)
    [first] = await fake_discord.wait_for_messages(fake_discord.channel, 1, timeout=WAIT)
    assert first.embeds[0]["title"] == "Story 1"

    # 22:30, 01:00 and 06:59 in Berlin: articles arrive, nothing is posted, all are held.
    for n, step in ((2, hours(1.5)), (3, hours(2.5)), (4, hours(5) + hours(59 / 60))):
        clock.now += step
        await store.store_articles(feed, [article(n, published=clock.now)], deliver=True)
        await eventually(
            partial(_held_is, store, fake_discord.channel.id, n - 1),
            timeout=WAIT,
            what=f"{n - 1} posts held",
        )
    assert clock.now == datetime(2026, 3, 3, 5, 59, tzinfo=UTC)
    assert await runner_of(running).catch_ups.release_held() == 0  # still quiet
    assert len(fake_discord.messages(fake_discord.channel)) == 1

    # /feed explain names the quiet hours and when the catch-up digest goes out (07:00 Berlin).
    seven = int(datetime(2026, 3, 3, 6, 0, tzinfo=UTC).timestamp())
    why = await explained(fake_discord, "https://example.org/news/2")
    assert "held \N{MIDDLE DOT} Alpha News" in why
    assert (
        f"held: the channel's quiet hours; it goes out in a catch-up digest at <t:{seven}:f>"
        in (why)
    )
    assert "posted \N{MIDDLE DOT} Alpha News" in await explained(
        fake_discord, "https://example.org/news/1"
    )

    clock.now = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    messages = await fake_discord.wait_for_messages(fake_discord.channel, 2, timeout=WAIT)
    catch_up = messages[1]
    assert "Catch-up · Tuesday 03 March 2026" in catch_up.content
    assert "3 new articles from 1 feed" in catch_up.content
    assert [e["title"] for e in catch_up.embeds] == ["Story 4", "Story 3", "Story 2"]
    assert catch_up.nonce is not None
    await eventually(
        lambda: _all_sent(store, fake_discord.channel.id, 4), timeout=WAIT, what="all sent"
    )
    assert await runner_of(running).catch_ups.release_held() == 0  # one catch-up, never a second
    assert len(fake_discord.messages(fake_discord.channel)) == 2
    after = await explained(fake_discord, "https://example.org/news/2")
    assert "posted \N{MIDDLE DOT} Alpha News" in after
    assert "held" not in after

    # After 07:00 articles go out as they arrive again.
    await store.store_articles(feed, [article(5, published=clock.now)], deliver=True)
    messages = await fake_discord.wait_for_messages(fake_discord.channel, 3, timeout=WAIT)
    assert messages[2].embeds[0]["title"] == "Story 5"


async def test_a_catch_up_digest_leaves_the_days_cap_to_instant_posts(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    # The cap counts instant posts; digests, the catch-up among them, carry what it holds back.
    clock = Clock(EVENING)
    running = await start(start_bot, clock)
    store = running.runtime.store
    feed = await instant_feed(store, fake_discord)
    berlin = {"timezone": "Europe/Berlin"}
    await control(fake_discord, "quiet", {"start": "22:00", "end": "07:00", **berlin})
    await control(fake_discord, "cap", {"per_day": 2, **berlin})

    clock.now = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 22:30 in Berlin
    night = [article(n, published=clock.now - hours(n / 10)) for n in range(1, 4)]
    await store.store_articles(feed, night, deliver=True)
    await eventually(
        lambda: _held_is(store, fake_discord.channel.id, 3), timeout=WAIT, what="3 held"
    )
    clock.now = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    [catch_up] = await fake_discord.wait_for_messages(fake_discord.channel, 1, timeout=WAIT)
    assert "3 new articles from 1 feed" in catch_up.content
    await eventually(
        lambda: _all_sent(store, fake_discord.channel.id, 3), timeout=WAIT, what="3 sent"
    )
    assert await store.cap_count(fake_discord.channel.id, "2026-03-03") == 0

    morning = [article(n, published=clock.now - hours(n / 10)) for n in range(4, 7)]
    await store.store_articles(feed, morning, deliver=True)
    await eventually(
        lambda: _held_is(store, fake_discord.channel.id, 1), timeout=WAIT, what="1 over the cap"
    )
    messages = await fake_discord.wait_for_messages(fake_discord.channel, 3, timeout=WAIT)
    assert [len(m.embeds) for m in messages[1:]] == [1, 1]
    assert await store.cap_count(fake_discord.channel.id, "2026-03-03") == 2
    assert await held(store, fake_discord.channel.id, "cap") == 1


async def test_a_scheduled_digest_due_in_quiet_hours_waits_for_their_end(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock(EVENING)
    running = await start(start_bot, clock)
    store = running.runtime.store
    feed = await store.add_feed("http://127.0.0.1/beta.xml", title="Beta Wire")
    channel = fake_discord.channel2
    await store.subscribe(feed.id, fake_discord.guild.id, channel.id, mode="digest", added_by=None)
    await store.store_articles(feed.id, [article(1, published=clock.now)], deliver=True)
    options = {"channel": channel.id, "timezone": "Europe/Berlin"}
    await run(fake_discord, "digest schedule", {**options, "at": "23:00"}, user=fake_discord.admin)
    await run(
        fake_discord,
        "channel quiet",
        {**options, "start": "22:00", "end": "07:00"},
        user=fake_discord.admin,
    )
    clock.now = datetime(2026, 3, 2, 22, 1, tzinfo=UTC)  # 23:01 in Berlin: due, but quiet
    assert await runner_of(running).run_due() == 0
    assert fake_discord.messages(channel) == []

    clock.now = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    [message] = await fake_discord.wait_for_messages(channel, 1, timeout=WAIT)
    assert "Digest · Tuesday 03 March 2026" in message.content
    assert [e["title"] for e in message.embeds] == ["Story 1"]


async def test_a_cap_of_ten_a_day_holds_across_a_burst_of_fifty(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock(EVENING)
    running = await start(start_bot, clock)
    store = running.runtime.store
    feed = await instant_feed(store, fake_discord)
    text = await control(fake_discord, "cap", {"per_day": 10})
    assert "at most 10 posts a day (UTC days)" in text

    burst = [article(n, published=clock.now - hours(n / 100)) for n in range(1, 51)]
    await store.store_articles(feed, burst, deliver=True)
    await eventually(
        lambda: _held_is(store, fake_discord.channel.id, 40), timeout=WAIT, what="40 held"
    )
    await eventually(
        lambda: _all_sent(store, fake_discord.channel.id, 10), timeout=WAIT, what="10 sent"
    )
    messages = fake_discord.messages(fake_discord.channel)
    assert len(messages) == 10
    assert len({m.embeds[0]["title"] for m in messages}) == 10
    assert await store.cap_count(fake_discord.channel.id, "2026-03-02") == 10
    shown = await control(fake_discord, "show", {})
    assert "Daily cap: 10 posts a day (10 today, UTC)" in shown
    # /feed explain names the cap and when the day is over; a post that went out says posted.
    waiting = await store.held_deliveries(fake_discord.channel.id)
    over = waiting[0].article
    assert over is not None
    assert over.url is not None
    why = await explained(fake_discord, over.url)
    midnight = int(datetime(2026, 3, 3, 0, 0, tzinfo=UTC).timestamp())
    assert "held \N{MIDDLE DOT} Alpha News" in why
    assert (
        "held: the channel's daily cap is reached: it goes into the channel's next digest, "
        f'or onto its "N more" line after <t:{midnight}:f>'
    ) in why

    # A restart changes nothing: the count is in the database.
    await running.stop()
    running = await start(start_bot, clock)
    await store_more(running.runtime.store, feed, clock, 51)
    await eventually(
        lambda: _held_is(running.runtime.store, fake_discord.channel.id, 41),
        timeout=WAIT,
        what="41 held",
    )
    assert len(fake_discord.messages(fake_discord.channel)) == 10

    # The next day (no schedule here): one "N more" line, then posts flow again.
    clock.now = datetime(2026, 3, 3, 0, 1, tzinfo=UTC)
    messages = await fake_discord.wait_for_messages(fake_discord.channel, 11, timeout=WAIT)
    assert messages[10].content == (
        "\N{HEAVY PLUS SIGN} **41 more articles** arrived over this channel's daily cap of 10."
    )
    assert messages[10].embeds == []

    url = over.url

    async def summed() -> str | None:  # the line goes out first, then its posts are settled
        why = await explained(fake_discord, url)
        return why if "not posted: over the daily cap" in why else None

    await eventually(summed, timeout=WAIT, what="the held post explained as summed up")
    await store_more(running.runtime.store, feed, clock, 52)
    messages = await fake_discord.wait_for_messages(fake_discord.channel, 12, timeout=WAIT)
    assert messages[11].embeds[0]["title"] == "Story 52"
    assert await _held_is(running.runtime.store, fake_discord.channel.id, 0)


async def test_posts_over_the_cap_join_the_next_scheduled_digest_bounded_by_its_size(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    clock = Clock(EVENING)
    running = await start(start_bot, clock)
    store = running.runtime.store
    feed = await instant_feed(store, fake_discord)
    capped = await control(fake_discord, "cap", {"per_day": 2, "timezone": "Europe/Berlin"})
    assert "at most 2 posts a day (Europe/Berlin days)" in capped
    text = await control(fake_discord, "digest-size", {"max": 3})
    assert "at most 3 articles" in text
    await run(
        fake_discord,
        "digest schedule",
        {"channel": fake_discord.channel.id, "at": "08:00"},
        user=fake_discord.admin,
    )
    burst = [article(n, published=clock.now - hours(n)) for n in range(1, 8)]
    await store.store_articles(feed, burst, deliver=True)
    await eventually(
        lambda: _held_is(store, fake_discord.channel.id, 5), timeout=WAIT, what="5 held"
    )
    await fake_discord.wait_for_messages(fake_discord.channel, 2, timeout=WAIT)

    clock.now = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    messages = await fake_discord.wait_for_messages(fake_discord.channel, 3, timeout=WAIT)
    digest = messages[2]
    assert "Digest · Tuesday 03 March 2026" in digest.content
    assert digest.content.endswith("3 new articles from 1 feed · 2 more")
    posted_first = {m.embeds[0]["title"] for m in messages[:2]}
    shown = [e["title"] for e in digest.embeds]
    assert len(shown) == 3
    assert not posted_first & set(shown)
    await eventually(
        lambda: _held_is(store, fake_discord.channel.id, 0), timeout=WAIT, what="none held"
    )


async def test_channel_commands_refuse_bad_input_and_non_managers_in_one_line(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start(start_bot, Clock(EVENING))
    bad = await control(fake_discord, "quiet", {"start": "25:00", "end": "07:00"})
    assert bad == "`25:00` is not a time: write HH:MM, e.g. 22:00 or 07:30."
    zone = await control(
        fake_discord, "quiet", {"start": "22:00", "end": "07:00", "timezone": "Mars/Olympus"}
    )
    assert "not a known time zone" in zone
    assert "\n" not in zone
    # A server may grant the command to others: the run-time check still refuses.
    refused = await run(
        fake_discord,
        "channel cap",
        {"per_day": 5},
        user=fake_discord.member,
        override_permissions=True,
    )
    assert "Manage Server" in text_of(refused)
    assert await running.runtime.store.get_controls(fake_discord.channel.id) is None
    lifted = await control(fake_discord, "quiet", {"start": "off"})
    assert "lifted" in lifted
    shown = await control(fake_discord, "show", {})
    assert "Quiet hours: none" in shown


async def store_more(store: Store, feed: int, clock: Clock, n: int) -> None:
    await store.store_articles(feed, [article(n, published=clock.now)], deliver=True)


async def _held_is(store: Store, channel_id: int, count: int) -> bool:
    rows = await store.held_deliveries(channel_id)
    return len(rows) == count


async def _all_sent(store: Store, channel_id: int, count: int) -> bool:
    return len(await store.list_deliveries(channel_id=channel_id, status="sent")) == count
