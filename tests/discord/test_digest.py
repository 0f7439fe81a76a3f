"""/digest end to end: the real bot against FakeDiscord, with the runtime's clock moved by hand."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import discord
import pytest

from bot.delivery.outcome import digest_nonce
from bot.schedules import as_utc
from bot.store import ScheduleRow, Store
from tests.fakediscord import FakeDiscord, InteractionHandle, Message
from tests.fixtures.bot import RunningBot, StartBot
from tests.poller.builders import START, Clock
from tests.schedules.builders import article, hours

EXTENSIONS = ("cogs.digest",)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)  # Monday 2 March 2026, 09:00 UTC (10:00 in Paris)


async def start(start_bot: StartBot, clock: Clock) -> RunningBot:
    return await start_bot(extensions=EXTENSIONS, clock=clock, digest_tick_seconds=0.1)


async def reply(handle: InteractionHandle) -> str:
    body = await handle.response()
    assert body["data"]["flags"] & 64, "replies are ephemeral"
    return str(body["data"]["content"])


async def subscribe_feeds(store: Store, fake: FakeDiscord, *titles: str) -> list[int]:
    """Feeds posting into #digest in digest mode; returns their ids."""
    ids = []
    for title in titles:
        feed = await store.add_feed(f"http://127.0.0.1/{title.split()[0].lower()}.xml", title=title)
        await store.subscribe(
            feed.id, fake.guild.id, fake.channel2.id, mode="digest", added_by=fake.admin.id
        )
        ids.append(feed.id)
    return ids


async def queued(start_bot: StartBot, fake: FakeDiscord, clock: Clock, count: int) -> RunningBot:
    """The bot, with one digest feed ("Alpha News") holding ``count`` queued articles."""
    running = await start(start_bot, clock)
    (feed,) = await subscribe_feeds(running.runtime.store, fake, "Alpha News")
    await running.runtime.store.store_articles(
        feed, [article(n, published=START - hours(n)) for n in range(1, count + 1)], deliver=True
    )
    return running


async def schedule_of(store: Store, channel_id: int) -> ScheduleRow | None:
    return next((s for s in await store.list_schedules() if s.channel_id == channel_id), None)


async def wait_for_run(store: Store, channel_id: int, at: datetime) -> ScheduleRow:
    """The channel's schedule once a run at ``at`` (or later) is recorded."""
    for _ in range(200):
        row = await schedule_of(store, channel_id)
        if row is not None and row.last_run_at is not None and as_utc(row.last_run_at) >= at:
            return row
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no digest run of channel {channel_id} recorded at {at}")


def titles(message: Message) -> list[str]:
    return [str(e["title"]) for e in message.embeds]


async def test_scheduled_digest_fires_at_its_time_with_the_new_articles_grouped_by_feed(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    running = await start(start_bot, clock)
    store = running.runtime.store
    alpha, beta = await subscribe_feeds(store, fake_discord, "Alpha News", "Beta Wire")
    handle = await fake_discord.interact(
        "digest schedule",
        {"channel": fake_discord.channel2.id, "at": "11:30", "timezone": "Europe/Paris"},
        user=fake_discord.admin,
    )
    text = await reply(handle)
    assert "daily at 11:30 (Europe/Paris), next Mon 02 Mar 2026 11:30 CET" in text
    await store.store_articles(alpha, [article(1, published=START - hours(3))], deliver=True)
    await store.store_articles(
        beta,
        [article(2, published=START - hours(1)), article(3, published=START - hours(5))],
        deliver=True,
    )
    # discord.py loads extensions as fresh modules: the cog is reached by name, untyped.
    cog: Any = running.bot.get_cog("Digests")
    assert cog is not None
    assert await cog.runner.run_due() == 0  # not yet due
    assert fake_discord.messages(fake_discord.channel2) == []

    clock.advance(hours=1, minutes=31)  # 11:31 in Paris
    (message,) = await fake_discord.wait_for_messages(fake_discord.channel2, 1)
    assert "Digest · Monday 02 March 2026" in message.content
    assert "3 new articles from 2 feeds" in message.content
    # Beta first (it has the freshest article), each feed's articles freshest first.
    assert titles(message) == ["Story 2", "Story 3", "Story 1"]
    assert [e["footer"]["text"] for e in message.embeds] == ["Beta Wire", "Beta Wire", "Alpha News"]
    assert message.nonce is not None
    assert message.allowed_mentions == {"parse": []}
    row = await wait_for_run(store, fake_discord.channel2.id, clock.now)
    assert row.next_run_at is not None
    assert as_utc(row.next_run_at) == datetime(2026, 3, 3, 10, 30, tzinfo=UTC)
    sent = await store.list_deliveries(channel_id=fake_discord.channel2.id)
    assert {(d.status, d.message_id) for d in sent} == {("sent", message.id)}

    # The next day nothing is new: the run is recorded, nothing is posted.
    clock.advance(days=1)
    await wait_for_run(store, fake_discord.channel2.id, clock.now)
    assert len(fake_discord.messages(fake_discord.channel2)) == 1

    # An article arrives; the day after, the digest carries it alone.
    await store.store_articles(alpha, [article(4, published=clock.now)], deliver=True)
    clock.advance(days=1)
    messages = await fake_discord.wait_for_messages(fake_discord.channel2, 2)
    assert titles(messages[1]) == ["Story 4"]
    assert "1 new article from 1 feed" in messages[1].content


async def test_a_big_digest_is_split_within_discord_limits(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    await queued(start_bot, fake_discord, clock, 23)
    handle = await fake_discord.interact(
        "digest now", {"channel": fake_discord.channel2.id}, user=fake_discord.admin
    )
    (followup,) = await handle.wait_followups(1)
    assert followup.content == f"Posted 23 new articles in <#{fake_discord.channel2.id}>."
    messages = fake_discord.messages(fake_discord.channel2)
    assert [len(m.embeds) for m in messages] == [10, 10, 3]
    assert [t for m in messages for t in titles(m)] == [f"Story {n}" for n in range(1, 24)]
    assert messages[2].content.endswith("part 3/3")
    assert len({m.nonce for m in messages}) == 3


async def test_digest_now_posts_immediately_then_has_nothing_new(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    running = await start(start_bot, clock)
    store = running.runtime.store
    (feed,) = await subscribe_feeds(store, fake_discord, "Alpha News")
    await store.store_articles(
        feed, [article(1), article(2, title="@everyone <@&1>")], deliver=True
    )
    # Without the channel option: the channel the command is used in.
    first = await fake_discord.interact(
        "digest now", user=fake_discord.admin, channel=fake_discord.channel2
    )
    assert (await first.wait_followups(1))[0].content.startswith("Posted 2 new articles")
    (message,) = fake_discord.messages(fake_discord.channel2)
    assert len(message.embeds) == 2
    assert not message.mention_everyone
    assert message.mention_roles == []
    again = await fake_discord.interact(
        "digest now", {"channel": fake_discord.channel2.id}, user=fake_discord.admin
    )
    assert (await again.wait_followups(1))[0].content.startswith("Nothing new")
    assert len(fake_discord.messages(fake_discord.channel2)) == 1


async def test_digest_off_stops_it_and_list_shows_next_runs_in_their_time_zone(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    running = await start(start_bot, clock)
    store = running.runtime.store
    (feed,) = await subscribe_feeds(store, fake_discord, "Alpha News")
    admin = fake_discord.admin
    empty = await reply(await fake_discord.interact("digest list", user=admin))
    assert "No digest schedules" in empty
    first = await fake_discord.interact(
        "digest schedule",
        {"channel": fake_discord.channel.id, "at": "7:30", "timezone": "Europe/Paris"},
        user=admin,
    )
    assert "No feed posts to" in await reply(first)  # #news has no digest-mode feed
    handle = await fake_discord.interact(
        "digest schedule",
        {
            "channel": fake_discord.channel2.id,
            "at": "0 8 * * mon-fri",
            "timezone": "America/New_York",
        },
        user=admin,
    )
    assert "No feed" not in await reply(handle)  # #digest has a digest-mode feed
    listing = await reply(await fake_discord.interact("digest list", user=admin))
    lines = listing.splitlines()[1:]
    assert lines[0].startswith(
        f"<#{fake_discord.channel.id}> · daily at 07:30 (Europe/Paris), "
        "next Tue 03 Mar 2026 07:30 CET"
    )
    assert lines[1].startswith(
        f"<#{fake_discord.channel2.id}> · cron `0 8 * * mon-fri` (America/New_York), "
        "next Mon 02 Mar 2026 08:00 EST"
    )

    off = await fake_discord.interact(
        "digest off", {"channel": fake_discord.channel2.id}, user=admin
    )
    assert "stopped" in await reply(off)
    await store.store_articles(feed, [article(1)], deliver=True)
    clock.advance(days=2)
    await wait_for_run(store, fake_discord.channel.id, clock.now)  # the other one still runs
    assert await schedule_of(store, fake_discord.channel2.id) is None
    assert fake_discord.messages(fake_discord.channel2) == []
    again = await fake_discord.interact(
        "digest off", {"channel": fake_discord.channel2.id}, user=admin
    )
    assert "has no digest schedule" in await reply(again)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"at": "24:00"}, "HH:MM"),
        ({"at": "0 8 * *"}, "HH:MM"),
        ({"at": "07:30", "timezone": "Mars/Olympus_Mons"}, "IANA"),
        ({"at": "07:30", "channel": "locked"}, "Send Messages"),
    ],
)
async def test_schedule_errors_say_what_to_do(
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    clock: Clock,
    options: dict[str, Any],
    error: str,
) -> None:
    running = await start(start_bot, clock)
    channel = (
        fake_discord.locked_channel if options.get("channel") == "locked" else fake_discord.channel2
    )
    handle = await fake_discord.interact(
        "digest schedule", {**options, "channel": channel.id}, user=fake_discord.admin
    )
    assert error in await reply(handle)
    assert await running.runtime.store.list_schedules() == []


async def test_a_member_without_manage_server_cannot_change_digests(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    running = await start(start_bot, clock)
    options: dict[str, Any] = {"channel": fake_discord.channel2.id, "at": "07:30"}
    with pytest.raises(PermissionError):  # hidden by the default permissions
        await fake_discord.interact("digest schedule", options, user=fake_discord.member)
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("digest schedule", options),
        ("digest now", {"channel": fake_discord.channel2.id}),
        ("digest off", {"channel": fake_discord.channel2.id}),
    ]
    for name, opts in attempts:
        handle = await fake_discord.interact(
            name, opts, user=fake_discord.member, override_permissions=True
        )
        assert "Manage Server" in await reply(handle)
    assert await running.runtime.store.list_schedules() == []


async def test_time_zone_autocomplete(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    await start(start_bot, clock)
    handle = await fake_discord.autocomplete(
        "digest schedule",
        {"channel": fake_discord.channel2.id, "at": "07:30", "timezone": "paris"},
        focused="timezone",
        user=fake_discord.admin,
    )
    choices = await handle.choices()
    assert choices[0] == {"name": "Europe/Paris", "value": "Europe/Paris"}


async def test_a_scheduled_run_and_digest_now_together_post_each_article_once(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    running = await queued(start_bot, fake_discord, clock, 15)
    store = running.runtime.store
    scheduled = await fake_discord.interact(
        "digest schedule",
        {"channel": fake_discord.channel2.id, "at": "9:30"},
        user=fake_discord.admin,
    )
    assert "daily at 09:30 (UTC)" in await reply(scheduled)
    clock.advance(hours=1)  # due now, while an admin asks for it too
    handle = await fake_discord.interact(
        "digest now", {"channel": fake_discord.channel2.id}, user=fake_discord.admin
    )
    await handle.wait_followups(1)
    await wait_for_run(store, fake_discord.channel2.id, clock.now)
    posted = [t for m in fake_discord.messages(fake_discord.channel2) for t in titles(m)]
    assert sorted(posted) == sorted(f"Story {n}" for n in range(1, 16))
    pending = await store.list_deliveries(channel_id=fake_discord.channel2.id, status="pending")
    assert pending == []


async def test_digest_commands_are_described_guild_only_and_need_manage_server(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    await start(start_bot, clock)
    [digest] = [c for c in fake_discord.commands(fake_discord.guild.id) if c["name"] == "digest"]
    assert int(digest["default_member_permissions"]) == 1 << 5  # Manage Server
    assert digest["contexts"] == [0]  # guild only
    subcommands = {sub["name"]: sub for sub in digest["options"]}
    assert {
        name: [o["name"] for o in sub.get("options", [])] for name, sub in subcommands.items()
    } == {
        "schedule": ["channel", "at", "timezone", "publish"],
        "now": ["channel"],
        "off": ["channel"],
        "list": [],
    }
    described = [digest, *subcommands.values()]
    described += [o for sub in subcommands.values() for o in sub.get("options", [])]
    assert all(item["description"].strip() for item in described)
    [timezone] = [o for o in subcommands["schedule"]["options"] if o["name"] == "timezone"]
    assert timezone["autocomplete"] is True


async def test_a_run_repeated_after_a_crash_does_not_post_twice(
    start_bot: StartBot, fake_discord: FakeDiscord, clock: Clock
) -> None:
    running = await start(start_bot, clock)
    store = running.runtime.store
    (feed,) = await subscribe_feeds(store, fake_discord, "Alpha News")
    await store.store_articles(feed, [article(1), article(2)], deliver=True)
    channel_id = fake_discord.channel2.id
    pending = [d.id for d in await store.list_deliveries(channel_id=channel_id, status="pending")]
    # An earlier attempt posted the digest, then died before marking the posts sent.
    channel = running.bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    earlier = await channel.send("earlier attempt", nonce=digest_nonce(channel_id, pending))
    handle = await fake_discord.interact(
        "digest now", {"channel": channel_id}, user=fake_discord.admin
    )
    await handle.wait_followups(1)
    assert [m.id for m in fake_discord.messages(channel_id)] == [earlier.id]
    sent = await store.list_deliveries(channel_id=channel_id)
    assert {(d.status, d.message_id) for d in sent} == {("sent", earlier.id)}
