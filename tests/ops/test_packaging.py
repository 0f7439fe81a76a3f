"""Packaging: what the Dockerfile, compose.yaml and the systemd unit run, run here too."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from bot.health import HealthServer, Probes
from bot.metrics import Metrics
from bot.settings import Settings
from tests.ops.cli import ROOT, clean_env, run_bot
from tests.ops.readme import env_name, fields

DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
UNIT = ROOT / "config" / "briefing.service"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, rest in instructions():
        if keyword == "ENV":
            env.update(dict(re.findall(r"(\w+)=(\S+)", rest)))
    return env


def answer(value: bool) -> Callable[[], bool]:
    return lambda: value


def test_image_runs_as_a_user_with_a_data_volume() -> None:
    found = dict(instructions())
    assert found["FROM"].startswith("python:3.1")
    assert "slim" in found["FROM"]
    assert found["USER"] not in ("root", "0")
    assert json.loads(found["VOLUME"]) == ["/data"]
    assert dockerfile_env()["BRIEFING_DATA_DIR"] == "/data"
    assert json.loads(found["ENTRYPOINT"]) == ["python", "-m", "bot"]


def test_every_variable_the_packaging_sets_is_a_setting() -> None:
    known = {env_name(key) for key, _ in fields(Settings)}
    texts = [p.read_text(encoding="utf-8") for p in (DOCKERFILE, COMPOSE, UNIT)]
    used = {name for text in texts for name in re.findall(r"\bBRIEFING_[A-Z_]+", text)}
    assert used, "the packaging configures Briefing through the environment"
    assert used <= known, f"not settings: {sorted(used - known)}"


def test_the_entry_point_answers(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "--help")
    assert result.code == 0
    assert "healthcheck" in result.out


async def test_the_image_healthcheck_command_follows_healthz(tmp_path: Path) -> None:
    command = json.loads(dict(instructions())["HEALTHCHECK"].split("CMD", 1)[1])
    assert command[:3] == ["python", "-m", "bot"]
    env = clean_env(**dockerfile_env())
    codes = []
    for gateway in (True, False):
        probes = Probes(gateway=answer(gateway))
        async with HealthServer(probes, Metrics(), port=0) as server:
            env["BRIEFING_HEALTH_PORT"] = str(server.port)  # the image's port is fixed; ours not
            env["BRIEFING_DATA_DIR"] = str(tmp_path)
            process = await asyncio.create_subprocess_exec(
                sys.executable, *command[1:], cwd=tmp_path, env=env
            )
            codes.append(await asyncio.wait_for(process.wait(), 60))
    assert codes == [0, 1]


def test_compose_builds_the_image_and_keeps_data_in_volumes() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert re.search(r"^  briefing:\n(?:    .*\n)*?    build: \.$", text, re.MULTILINE)
    assert "briefing-data:/data" in text
    assert re.search(r"^  postgres:\n(?:    .*\n)*?    profiles: \[\"postgres\"\]", text, re.M)
    assert "required: false" in text  # the bot starts without the optional database


def test_systemd_unit_runs_the_module_as_its_own_user() -> None:
    text = UNIT.read_text(encoding="utf-8")
    sections = re.findall(r"^\[(\w+)\]$", text, re.MULTILINE)
    assert sections == ["Unit", "Service", "Install"]
    exec_start = re.search(r"^ExecStart=(.+)$", text, re.MULTILINE)
    assert exec_start is not None
    assert exec_start.group(1).endswith("python -m bot")
    assert re.search(r"^User=briefing$", text, re.MULTILINE)
    assert re.search(r"^KillSignal=SIGTERM$", text, re.MULTILINE)
