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


def generated_section(begin: str, end: str) -> str:
    """What README.md holds between two markers of a generated section."""
    text = README.read_text(encoding="utf-8")
    start = text.index(begin) + len(begin)
    return text[start : text.index(end)].strip()


def write_generated_section(begin: str, end: str, body: str) -> None:
    """Replace what README.md holds between two markers with ``body``."""
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    README.write_text(f"{head}{begin}\n{body}\n{end}{tail}", encoding="utf-8")


def readme_table() -> str:
    """The table currently between the markers in README.md."""
    return generated_section(BEGIN, END)


if __name__ == "__main__":
    write_generated_section(BEGIN, END, table())
