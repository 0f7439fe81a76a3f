"""The sender's pure parts: what a message must carry, and the permissions each target needs."""

from __future__ import annotations

import discord
import pytest

from bot.delivery import Outgoing, permissions
from bot.delivery.outcome import NONCE_LIMIT
from bot.delivery.permissions import TEXT_CHANNEL, labels, missing, pause_reason


@pytest.mark.parametrize(("kind", "nonce"), [("post", ""), ("post", "x" * 26), ("webhook", "a")])
def test_a_message_without_a_valid_nonce_or_kind_is_refused(kind: str, nonce: str) -> None:
    with pytest.raises(ValueError, match=r"nonce|kind"):
        Outgoing(kind, nonce, "text")


def test_a_message_takes_a_nonce_up_to_discords_limit() -> None:
    assert Outgoing("digest", "d" * NONCE_LIMIT, "text").nonce == "d" * NONCE_LIMIT


def test_the_permissions_described_are_discords_own_bits() -> None:
    for permission in permissions.INVITE:
        assert discord.Permissions(**{permission.flag: True}).value == permission.bit
    assert (
        permissions.integer(permissions.INVITE)
        == discord.Permissions(
            view_channel=True,
            send_messages=True,
            embed_links=True,
            read_message_history=True,
            send_messages_in_threads=True,
        ).value
    )


def test_missing_permissions_are_named_as_discord_names_them() -> None:
    granted = discord.Permissions(view_channel=True)
    lacking = missing(lambda flag: bool(getattr(granted, flag)), TEXT_CHANNEL)
    assert labels(lacking) == "Send Messages and Embed Links"
    assert missing(lambda flag: True, TEXT_CHANNEL) == ()
    assert "View Channel, Send Messages and Embed Links" in pause_reason("Discord 403")
