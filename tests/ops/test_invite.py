"""``python -m bot invite``: the URL carries the scopes and exactly the permissions needed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from tests.ops.cli import run_bot


def test_invite_url_has_scopes_and_exact_permissions(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "invite", "--application-id", "123456789012345678")
    assert result.code == 0, result.err
    url = urlsplit(result.out.strip())
    assert (url.scheme, url.netloc, url.path) == ("https", "discord.com", "/oauth2/authorize")
    query = parse_qs(url.query)
    expected = discord.Permissions(
        view_channel=True,
        send_messages=True,
        embed_links=True,
        read_message_history=True,
        send_messages_in_threads=True,
    )
    assert query["client_id"] == ["123456789012345678"]
    assert query["scope"] == ["bot applications.commands"]
    assert int(query["permissions"][0]) == expected.value


@pytest.mark.parametrize("bad", ["abc", "0", "-5", "12.5"])
def test_invite_refuses_what_is_not_an_application_id(tmp_path: Path, bad: str) -> None:
    result = run_bot(tmp_path, "invite", f"--application-id={bad}")
    assert result.code != 0
    assert "application id" in result.err
