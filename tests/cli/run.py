"""Run ``python -m bot`` as a user would, without blocking the test's event loop."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT


@dataclass(frozen=True)
class Completed:
    """A finished command: exit status and decoded output."""

    returncode: int
    stdout: str
    stderr: str


def environment(**extra: str) -> dict[str, str]:
    """The process environment without BRIEFING_* settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


async def briefing_async(*args: str, cwd: Path, **env: str) -> Completed:
    """Run ``python -m bot ARGS`` in ``cwd`` while the event loop keeps serving test servers."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=environment(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return Completed(process.returncode, out.decode(), err.decode())
