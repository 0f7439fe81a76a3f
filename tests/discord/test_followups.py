"""/ask, /keypoints, /search and the "Key points" menu through the real bot and client."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, cast

import discord

from bot.digest import summarize
from bot.render.article import more_view
from bot.store import Store
from tests.conftest import SEED_ARTICLE
from tests.discord.feeds_helpers import reply, run, text_of
from tests.fakediscord import FakeDiscord
from tests.fixtures.bot import RunningBot, StartBot
from tests.poller.builders import Clock
from tests.store.factory import article

if TYPE_CHECKING:
    from cogs.followups import Followups

EXTENSIONS = ("cogs.followups",)
TITLE = "Putin orders Syria pullout"
LINK = "https://news.example/world/putin-syria"


async def _seeded(
    start_bot: StartBot, fake: FakeDiscord, *, digested: bool = True
) -> tuple[RunningBot, int]:
    """The bot with the follow-up commands and the seed article stored for the fake guild.

    Without ``digested`` the article is stored as a first poll's backlog: no digest yet.
    """
    clock = Clock()
    running = await start_bot(extensions=EXTENSIONS, clock=clock)
    store: Store = running.runtime.store
    feed = await store.add_feed("https://news.example/feed.xml", title="World News")
    await store.subscribe(feed.id, fake.guild.id, fake.channel.id, mode="instant", added_by=None)
    text = SEED_ARTICLE.read_text()
    seed = article("seed", title=TITLE, link=LINK, text=text, published=clock.now)
    seed = replace(seed, digest=summarize(text, title=TITLE) if digested else None)
    result = await store.store_articles(feed.id, [seed], deliver=False)
    clock.advance(hours=2)
    return running, result.new_articles[0]


async def test_ask_quotes_the_naval_facility_sentence_with_the_link(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    await _seeded(start_bot, fake_discord)
    message = await run(
        fake_discord,
        "ask",
        {"question": "What will Russia keep in Syria?"},
        user=fake_discord.member,
    )
    [embed] = message.embeds
    assert "naval facility and airbase" in embed["description"]
    assert f"]({LINK})" in embed["description"]
    assert not message.ephemeral
    assert message.request["allowed_mentions"] == {"parse": []}


async def test_ask_about_something_no_article_covers_says_so(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    await _seeded(start_bot, fake_discord)
    message = await run(fake_discord, "ask", {"question": "Who won the football World Cup final?"})
    assert message.ephemeral
    assert "Nothing relevant in the last 7 days" in message.content
    # The command says so before anyone asks: the default window is in its description.
    [ask] = [c for c in fake_discord.commands(fake_discord.guild.id) if c["name"] == "ask"]
    assert "last 7 days" in ask["description"]
    days = {o["name"]: o for o in ask["options"]}["days"]
    assert "default 7" in days["description"]


async def test_keypoints_shows_the_three_key_points_and_the_link(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    _, article_id = await _seeded(start_bot, fake_discord)
    handle = await fake_discord.autocomplete("keypoints", {"article": "pullout"}, focused="article")
    choices = await handle.choices()
    assert [c["value"] for c in choices] == [str(article_id)]
    message = await run(fake_discord, "keypoints", {"article": str(article_id)})
    [embed] = message.embeds
    assert embed["url"] == LINK
    assert embed["description"].count("• ") == 3
    assert "naval facility" in embed["description"]
    assert "TL;DR" in text_of(message)
    assert not message.ephemeral
    private = await run(fake_discord, "keypoints", {"article": str(article_id), "private": True})
    assert private.ephemeral


async def test_keypoints_of_a_first_poll_item_makes_its_digest_once(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running, article_id = await _seeded(start_bot, fake_discord, digested=False)
    store: Store = running.runtime.store
    stored = await store.get_article(article_id)
    assert stored is not None
    assert stored.digest is None
    message = await run(fake_discord, "keypoints", {"article": str(article_id)})
    [embed] = message.embeds
    assert embed["description"].count("• ") == 3
    assert "naval facility" in embed["description"]
    assert "TL;DR" in text_of(message)
    made = await store.get_article(article_id)
    assert made is not None
    assert made.digest is not None  # stored: the next reader does not make it again
    assert made.digest.key_points == summarize(made.text, title=TITLE).key_points


async def test_search_finds_the_article_by_a_stemmed_word(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    await _seeded(start_bot, fake_discord)
    message = await run(fake_discord, "search", {"query": "withdrawal"})
    assert TITLE in text_of(message)
    assert LINK in message.embeds[0]["description"]
    nothing = await run(fake_discord, "search", {"query": "volcano"})
    assert "No article" in nothing.content


async def test_key_points_menu_on_an_instant_post(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running, article_id = await _seeded(start_bot, fake_discord)
    channel = running.bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send(embed=discord.Embed(title=TITLE, url=LINK), view=more_view(article_id))
    [post] = await fake_discord.wait_for_messages(fake_discord.channel, 1)
    message = await reply(await fake_discord.context_menu("Key points", post))
    assert message.ephemeral
    assert "naval facility" in text_of(message)


async def test_key_points_menu_on_a_digest_message_finds_articles_by_title(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running, _ = await _seeded(start_bot, fake_discord)
    channel = running.bot.get_channel(fake_discord.channel.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("Digest", embeds=[discord.Embed(title=TITLE, url=LINK)])
    await channel.send("Not a post")
    digest_post, chatter = await fake_discord.wait_for_messages(fake_discord.channel, 2)
    found = await reply(await fake_discord.context_menu("Key points", digest_post))
    assert "naval facility" in text_of(found)
    nothing = await reply(await fake_discord.context_menu("Key points", chatter))
    assert "no article I have stored" in nothing.content


async def test_ask_within_one_feed_and_the_index_job(
    start_bot: StartBot, fake_discord: FakeDiscord
) -> None:
    running, _ = await _seeded(start_bot, fake_discord)
    # discord.py loads extensions as fresh modules: the class is another object than ours.
    cog = cast("Followups", running.bot.get_cog("Followups"))
    assert cog is not None
    await cog.catch_up()
    assert await running.runtime.store.answer_doc_count() == 1
    handle = await fake_discord.autocomplete("ask", {"feed": "world"}, focused="feed")
    [choice] = await handle.choices()
    assert choice["name"] == "World News"
    question = {"question": "What will Russia keep in Syria?", "feed": choice["value"]}
    assert "naval facility" in text_of(await run(fake_discord, "ask", question))
    other = await running.runtime.store.add_feed("https://other.example/feed.xml")
    elsewhere = {"question": question["question"], "feed": str(other.id)}
    assert "Nothing relevant" in (await run(fake_discord, "ask", elsewhere)).content
