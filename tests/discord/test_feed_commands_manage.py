"""/feed remove, list, status, preview and filter with the real discord.py against FakeDiscord."""

from __future__ import annotations

from tests.discord.feeds_helpers import buttons, reply, run, start_feeds_bot, text_of
from tests.fakediscord import FakeDiscord
from tests.fixtures.bot import StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, Item, rss, story


async def test_remove_through_autocomplete(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot)
    world = http_server.static("/world.xml", rss([story(1)], title="World News"))
    sport = http_server.static("/sport.xml", rss([story(2)], title="Sport Daily"))
    await run(fake_discord, "feed add", {"url": world})
    await run(fake_discord, "feed add", {"url": sport, "channel": fake_discord.channel2.id})

    handle = await fake_discord.autocomplete("feed remove", {"feed": "spo"}, focused="feed")
    [choice] = await handle.choices()
    assert choice["name"] == "Sport Daily · #digest"
    message = await run(fake_discord, "feed remove", {"feed": choice["value"]})
    assert message.ephemeral
    assert "Stopped following **Sport Daily**" in text_of(message)
    [left] = await running.runtime.store.list_subscriptions()
    assert left.feed_title == "World News"

    everything = await fake_discord.autocomplete("feed remove", {"feed": ""}, focused="feed")
    assert [c["name"] for c in await everything.choices()] == ["World News · #news"]


async def test_remove_of_an_unknown_feed_says_what_to_do(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    await start_feeds_bot(start_bot)
    message = await run(fake_discord, "feed remove", {"feed": "nothing like it"})
    assert message.ephemeral
    assert "no feed matching" in text_of(message)
    assert "/feed list" in text_of(message)


async def test_list_is_paginated_with_buttons(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running = await start_feeds_bot(start_bot)
    store = running.runtime.store
    for n in range(12):
        feed = await store.add_feed(f"http://example.org/{n:02}.xml", title=f"Feed {n:02}")
        await store.subscribe(feed.id, fake_discord.guild.id, fake_discord.channel.id,
                              mode="instant", added_by=None)  # fmt: skip

    message = await run(fake_discord, "feed list", {})
    assert message.ephemeral
    assert "Page 1 of 2" in text_of(message)
    assert "Feed 00" in text_of(message)
    assert "Feed 11" not in text_of(message)
    assert buttons(message)["Previous"].get("disabled")

    click = await fake_discord.click(message, buttons(message)["Next"]["custom_id"])
    await click.response()
    assert "Page 2 of 2" in text_of(message)
    assert "Feed 11" in text_of(message)
    assert "Feed 00" not in text_of(message)
    assert buttons(message)["Next"].get("disabled")

    other = await fake_discord.click(
        message, buttons(message)["Previous"]["custom_id"], user=fake_discord.member
    )
    await other.response()
    refusal = await other.original_message()
    assert refusal.ephemeral
    assert "someone else" in refusal.content
    assert "Page 2 of 2" in text_of(message)


async def test_list_and_status_of_a_server_without_feeds(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    await start_feeds_bot(start_bot)
    for command in ("feed list", "feed status"):
        message = await run(fake_discord, command, {})
        assert message.ephemeral
        assert "/feed add" in message.content


async def test_status_shows_a_failing_feed_and_its_error(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    clock = Clock()
    running = await start_feeds_bot(start_bot, clock=clock)
    url = http_server.static("/feed.xml", rss([story(1)], title="Flaky News"))
    await run(fake_discord, "feed add", {"url": url})
    http_server.static("/feed.xml", "down", status=503, content_type="text/plain")
    clock.advance(hours=1)
    report = await running.runtime.poller().run_cycle()
    assert report.failed == 1

    text = text_of(await run(fake_discord, "feed status", {}))
    assert "Flaky News" in text
    assert "503" in text
    assert "consecutive failures: 1" in text
    assert "last success: <t:" in text
    assert "next poll: <t:" in text


async def test_preview_is_private_and_stores_nothing(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot)
    url = http_server.static("/feed.xml", rss([story(k) for k in range(1, 6)], title="Example"))
    message = await run(fake_discord, "feed preview", {"url": url})
    assert message.ephemeral
    assert [e["title"] for e in message.embeds] == [
        "Example",
        "Story number 1",
        "Story number 2",
        "Story number 3",
    ]
    assert all(e.get("description", "").startswith("• ") for e in message.embeds[1:])
    store = running.runtime.store
    assert await store.list_feeds() == []
    assert await store.recent_articles(None) == []


async def test_preview_of_an_unreadable_feed_says_why(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    await start_feeds_bot(start_bot)
    url = http_server.static("/gone", "gone", status=410, content_type="text/plain")
    message = await run(fake_discord, "feed preview", {"url": url})
    assert message.ephemeral
    assert "410" in message.content


async def test_filter_with_a_hostile_regex_does_not_stall(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot)
    hostile = Item("evil", "aaaa", "http://example.org/evil", "a" * 5000 + "!")
    url = http_server.static("/feed.xml", rss([story(1), story(2), hostile], title="Mixed"))
    await run(fake_discord, "feed add", {"url": url})
    [sub] = await running.runtime.store.list_subscriptions()

    handle = await fake_discord.interact(
        "feed filter", {"feed": str(sub.id), "include": "Example2, /(a+)+$/", "exclude": "war"}
    )
    message = await reply(handle)
    assert message.ephemeral
    text = text_of(message)
    assert "include `Example2`, `/(a+)+$/`; exclude `war`" in text
    assert "Of its 3 most recent article(s), 1 would be posted" in text
    [stored] = await running.runtime.store.list_subscriptions()
    assert stored.filters.include == ("Example2", "/(a+)+$/")


async def test_filter_refuses_a_broken_regex_and_keeps_the_old_filters(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    running = await start_feeds_bot(start_bot)
    url = http_server.static("/feed.xml", rss([story(1)], title="Mixed"))
    await run(fake_discord, "feed add", {"url": url})
    [sub] = await running.runtime.store.list_subscriptions()
    await run(fake_discord, "feed filter", {"feed": str(sub.id), "exclude": "sport"})
    message = await run(fake_discord, "feed filter", {"feed": str(sub.id), "include": "/(oops/"})
    assert message.ephemeral
    assert "invalid regular expression" in message.content
    [stored] = await running.runtime.store.list_subscriptions()
    assert (stored.filters.include, stored.filters.exclude) == ((), ("sport",))
