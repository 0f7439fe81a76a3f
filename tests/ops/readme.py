"""The README's configuration reference, generated from the settings model.

    .venv/bin/python -m tests.ops.readme     # rewrites the table in README.md

``test_readme.py`` fails when README.md and the model disagree, so the table cannot drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BEGIN = "<!-- settings-table:begin (generated: python -m tests.ops.readme) -->"
END = "<!-- settings-table:end -->"


def fields(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """Every leaf setting as (dotted key, field), nested models flattened."""
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from fields(annotation, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", info


def env_name(key: str) -> str:
    """The environment variable of a dotted key."""
    return "BRIEFING_" + key.replace(".", "__").upper()


def default_text(info: FieldInfo) -> str:
    """The default as a TOML-ish literal (``unset`` for None)."""
    value: Any = info.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, Path):
        return f'"{value}"'
    return json.dumps(value)


def table() -> str:
    """The Markdown table of every setting."""
    rows = ["| Key | Environment variable | Default | Meaning |", "|---|---|---|---|"]
    for key, info in fields(Settings):
        meaning = (info.description or "").replace("|", "\\|")
        rows.append(f"| `{key}` | `{env_name(key)}` | `{default_text(info)}` | {meaning} |")
    return "\n".join(rows)


def readme_table() -> str:
    """The table currently between the markers in README.md."""
    text = README.read_text(encoding="utf-8")
    start = text.index(BEGIN) + len(BEGIN)
    return text[start : text.index(END)].strip()


def write_readme_table() -> None:
    """Replace the table between the markers in README.md with the current one."""
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{BEGIN}\n{table()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    write_readme_table()
