"""A connected test bot with its commands synced to the default guild."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord_tests._bots import DemoBot
from tests.fixtures.discord import running


@pytest.fixture
async def bot(fake_discord: FakeDiscord) -> AsyncIterator[DemoBot]:
    """DemoBot logged in to ``fake_discord``, ready, its tree synced to the default guild."""
    client = DemoBot()
    async with running(client, fake_discord):
        guild = discord.Object(fake_discord.guild.id)
        client.tree.copy_global_to(guild=guild)
        await client.tree.sync(guild=guild)
        yield client
