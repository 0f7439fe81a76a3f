"""Running ``python -m bot`` in a subprocess, in a directory of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Result:
    """Exit status and output of one command."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """stdout and stderr together."""
        return self.out + self.err


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any BRIEFING_* variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def run_bot(cwd: Path, *args: str, **env: str) -> Result:
    """``python -m bot ARGS`` in ``cwd`` with a clean environment plus ``env``."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)
