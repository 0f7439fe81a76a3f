"""The README cannot drift: its settings table, commands and permissions match the code."""

from __future__ import annotations

import re

import discord

from bot.cli import build_parser
from tests.ops.example_posts import examples, readme_examples
from tests.ops.readme import README, readme_table, table


def test_every_setting_is_in_the_table_with_its_variable_and_default() -> None:
    expected = set(table().splitlines())
    actual = set(readme_table().splitlines())
    missing = sorted(expected - actual)
    stale = sorted(actual - expected)
    assert (missing, stale) == ([], []), (
        "README.md's configuration table disagrees with bot/settings.py; regenerate it with "
        f"`.venv/bin/python -m tests.ops.readme`.\nmissing: {missing}\nstale: {stale}"
    )


def test_quick_start_keeps_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert re.search(r"^\./scripts/run\s+#", text, re.MULTILINE)
    assert re.search(r"^\./scripts/test\s+#", text, re.MULTILINE)


def test_commands_the_readme_names_exist() -> None:
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"python -m bot ([a-z][a-z-]*)", text))
    named |= set(re.findall(r"\./scripts/run ([a-z][a-z-]*)", text))
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    known = set(subparsers.choices or {})
    assert named, "the README names commands"
    assert named <= known, f"README names commands that do not exist: {sorted(named - known)}"


def test_the_permissions_integer_is_the_one_the_bot_needs() -> None:
    text = README.read_text(encoding="utf-8")
    quoted = re.search(r"permissions integer\s+`(\d+)`", text)
    assert quoted is not None
    needed = discord.Permissions(
        view_channel=True,
        send_messages=True,
        embed_links=True,
        read_message_history=True,
        send_messages_in_threads=True,
    )
    assert int(quoted.group(1)) == needed.value


def test_the_example_posts_are_what_the_renderers_produce() -> None:
    assert readme_examples() == examples(), (
        "README.md's example posts are stale; regenerate them with "
        "`.venv/bin/python -m tests.ops.example_posts`."
    )
