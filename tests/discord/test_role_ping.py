"""/feed set ping: a feed's posts mention one role, which alone is pinged."""

from __future__ import annotations

from dataclasses import replace

from bot.store import Store
from tests.discord.feeds_helpers import run
from tests.fakediscord import FakeDiscord
from tests.fakediscord.models import Role
from tests.fixtures.bot import RunningBot, StartBot
from tests.fixtures.http import HttpServer
from tests.poller.builders import Clock, rss, story

EXTENSIONS = ("cogs.feeds", "cogs.posting")


def add_role(fake: FakeDiscord, name: str, *, mentionable: bool = True) -> Role:
    """A role of the default guild (made before the bot connects, so it is in its cache)."""
    return fake.world.add_role(fake.guild, name, 0, mentionable=mentionable)


async def followed(
    start_bot: StartBot, fake: FakeDiscord, http_server: HttpServer, clock: Clock
) -> tuple[RunningBot, int]:
    """The bot following a one-item feed in #news; returns it and the subscription id."""
    running = await start_bot(extensions=EXTENSIONS, clock=clock)
    url = http_server.static("/feed.xml", rss([story(1)], title="Alerts"))
    await run(fake, "feed add", {"url": url})
    [sub] = await running.runtime.store.list_subscriptions(guild_id=fake.guild.id)
    return running, sub.id


async def test_a_post_pings_the_chosen_role_and_nobody_else(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    alerts = add_role(fake_discord, "news-alerts")
    other = add_role(fake_discord, "other")
    clock = Clock()
    running, sub_id = await followed(start_bot, fake_discord, http_server, clock)

    choices = await (
        await fake_discord.autocomplete(
            "feed set", {"feed": str(sub_id), "ping": "news"}, focused="ping"
        )
    ).choices()
    assert [c["value"] for c in choices] == ["none", str(alerts.id)]
    answer = await run(fake_discord, "feed set", {"feed": str(sub_id), "ping": str(alerts.id)})
    assert f"<@&{alerts.id}>" in answer.content
    store: Store = running.runtime.store
    sub = await store.get_subscription(sub_id)
    assert sub is not None
    assert sub.ping_role_id == alerts.id
    listed = await run(fake_discord, "feed list", {})
    assert f"pings <@&{alerts.id}>" in listed.embeds[0]["description"]
    assert listed.request["allowed_mentions"] == {"parse": []}

    hostile = f"@everyone @here <@{fake_discord.member.id}> <@&{other.id}>"
    item = replace(story(2), title=f"Breaking {hostile}", description=f"{hostile} " * 30)
    http_server.static("/feed.xml", rss([item, story(1)], title="Alerts"))
    clock.advance(minutes=11)
    await running.runtime.poller().run_cycle()

    [post] = await fake_discord.wait_for_messages(fake_discord.channel, 1)
    assert post.content == f"<@&{alerts.id}>"
    assert post.request["allowed_mentions"] == {"parse": [], "roles": [alerts.id]}
    assert post.mention_roles == [alerts.id]
    assert not post.mention_everyone
    assert post.mentions == []
    assert "Breaking" in post.embeds[0]["title"]


async def test_ping_none_clears_it_and_unknown_or_everyone_roles_are_refused(
    start_bot: StartBot, fake_discord: FakeDiscord, http_server: HttpServer
) -> None:
    alerts = add_role(fake_discord, "news-alerts")
    clock = Clock()
    running, sub_id = await followed(start_bot, fake_discord, http_server, clock)
    store: Store = running.runtime.store
    feed = {"feed": str(sub_id)}

    await run(fake_discord, "feed set", feed | {"ping": "@News-Alerts"})  # typed by name
    assert (await store.get_subscription(sub_id)).ping_role_id == alerts.id  # type: ignore[union-attr]
    refused = await run(fake_discord, "feed set", feed | {"ping": str(fake_discord.guild.id)})
    assert "never pings @everyone" in refused.content
    unknown = await run(fake_discord, "feed set", feed | {"ping": "nobody-has-this"})
    assert "no role" in unknown.content
    assert (await store.get_subscription(sub_id)).ping_role_id == alerts.id  # type: ignore[union-attr]

    cleared = await run(fake_discord, "feed set", feed | {"ping": "none"})
    assert "ping nobody" in cleared.content
    assert (await store.get_subscription(sub_id)).ping_role_id is None  # type: ignore[union-attr]

    http_server.static("/feed.xml", rss([story(2), story(1)], title="Alerts"))
    clock.advance(minutes=11)
    await running.runtime.poller().run_cycle()
    [post] = await fake_discord.wait_for_messages(fake_discord.channel, 1)
    assert post.content == ""
    assert post.request["allowed_mentions"] == {"parse": []}
