"""``briefing digest`` as a user runs it: a real subprocess of ``python -m bot``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SEED_ARTICLE


def briefing(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m bot ARGS`` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_digest_of_a_text_file_prints_key_points() -> None:
    result = briefing("digest", str(SEED_ARTICLE))
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert out.count(" • ") == 3
    assert "naval facility" in out


def test_digest_json_from_stdin_with_points() -> None:
    result = briefing("digest", "-", "--json", "--points", "5", stdin=SEED_ARTICLE.read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    text = SEED_ARTICLE.read_text()
    assert len(data["key_points"]) == 5
    for point in data["key_points"]:
        assert " ".join(text[point["start"] : point["end"]].split()) == point["text"]
    assert 5 <= len(data["keywords"]) <= 8
    assert data["language"] == "en"


def test_digest_of_an_html_page_uses_its_main_text(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{line}</p>" for line in SEED_ARTICLE.read_text().splitlines() if line)
    page = tmp_path / "article.html"
    page.write_text(
        "<html><head><title>Putin orders pullout</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> Subscribe to our newsletter</nav>"
        f"<article><h1>Putin orders pullout</h1>{paragraphs}</article>"
        "<footer>Copyright 2017 Example News. All rights reserved.</footer></body></html>"
    )
    result = briefing("digest", str(page), "--json")
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    joined = " ".join(p["text"] for p in data["key_points"])
    assert "Subscribe" not in joined
    assert "Copyright" not in joined
    assert len(data["key_points"]) == 3


def test_batch_streams_json_lines_and_reports_bad_lines(tmp_path: Path) -> None:
    seed = SEED_ARTICLE.read_text()
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": seed, "title": "Putin orders pullout"}),
                "{not json",
                json.dumps({"text": "no id"}),
                json.dumps({"id": 7, "text": "Short text."}),
                json.dumps(["not", "an", "object"]),
            ]
        )
        + "\n"
    )
    result = briefing("digest", "--jsonl", str(batch), "--points", "2")
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [line["id"] for line in lines] == ["a", 7]
    assert len(lines[0]["key_points"]) == 2
    assert isinstance(lines[0]["tldr"], str)
    assert lines[0]["tldr"]
    errors = result.stderr.decode()
    assert f"{batch}:2: not valid JSON" in errors
    assert f"{batch}:3: missing 'id'" in errors
    assert f"{batch}:5: expected a JSON object" in errors


def test_bad_arguments_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    assert briefing("digest", str(SEED_ARTICLE), "--points", "11").returncode == 2
    missing = briefing("digest", str(tmp_path / "nope.txt"))
    assert missing.returncode == 1
    assert b"cannot read" in missing.stderr
