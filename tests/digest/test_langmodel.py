"""The language model's cache: mapped arrays that classify as py3langid's, rebuilt when broken."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from bot.digest._langmodel import cache_root, load_identifier

TEXTS = [
    "Der Bundestag hat am Dienstag über den Haushalt für das kommende Jahr beraten",
    "Le gouvernement a annoncé mardi une nouvelle réforme des retraites",
    "Президент заявил во вторник, что переговоры продолжатся",
    "Il governo ha detto che la riforma sarà approvata entro l'estate",
    "東京で国際会議が開かれ、各国の代表が気候変動について議論した",
    "O governo anunciou nesta terça-feira um novo pacote de medidas",
]


@pytest.fixture(scope="module")
def reference() -> object:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def cached(root: Path) -> Path:
    (directory,) = root.glob("langid-*")
    return directory


def test_the_cached_model_classifies_as_py3langid_does(tmp_path: Path, reference: object) -> None:
    built = load_identifier(tmp_path)  # first use: unpacks the model into the cache
    mapped = load_identifier(tmp_path)  # later uses: map it
    for text in TEXTS:
        expected = reference.classify(text)  # type: ignore[attr-defined]
        assert built.classify(text) == expected
        assert mapped.classify(text) == expected
    assert {p.name for p in cached(tmp_path).iterdir()} >= {"ptc.npy", "nextmove.npy"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.parametrize("damage", ["truncate", "garble", "remove"])
def test_a_broken_cache_is_rebuilt(tmp_path: Path, reference: object, damage: str) -> None:
    load_identifier(tmp_path)
    victim = cached(tmp_path) / "nextmove.npy"
    size = victim.stat().st_size
    if damage == "truncate":
        with victim.open("r+b") as f:
            f.truncate(size // 2)
    elif damage == "garble":
        victim.write_bytes(b"not a numpy file")
    else:
        victim.unlink()
    identifier = load_identifier(tmp_path)
    for text in TEXTS:
        assert identifier.classify(text) == reference.classify(text)  # type: ignore[attr-defined]
    assert (cached(tmp_path) / "nextmove.npy").stat().st_size == size


def test_an_unwritable_cache_falls_back_to_a_private_model(
    tmp_path: Path, reference: object
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should go")
    identifier = load_identifier(blocker / "briefing")
    assert identifier.classify(TEXTS[0]) == reference.classify(TEXTS[0])  # type: ignore[attr-defined]


def test_the_cache_lives_under_xdg_cache_home(tmp_path: Path) -> None:
    code = "from bot.digest._langmodel import cache_root; print(cache_root())"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == str(tmp_path / "briefing")
    env.pop("XDG_CACHE_HOME")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == str(Path.home() / ".cache" / "briefing")
    assert cache_root().name == "briefing"


LOAD_AND_MEASURE = """
import sys
from pathlib import Path
from bot.digest._langmodel import load_identifier
from py3langid.langid import MODEL_FILE, LanguageIdentifier

def anonymous():  # kB of memory no file backs: what no other process can share
    rollup = open("/proc/self/smaps_rollup").read().splitlines()
    return sum(int(line.split()[1]) for line in rollup if line.startswith("Anonymous:"))

before = anonymous()
if sys.argv[1] == "cache":
    identifier = load_identifier(Path(sys.argv[2]))
else:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
identifier.classify("Der Bundestag hat am Dienstag beraten")
print(anonymous() - before)
"""


def test_processes_share_the_mapped_model(tmp_path: Path) -> None:
    """A process that maps the cache keeps the model in shared pages, not its own memory."""
    load_identifier(tmp_path)
    grown = {}
    for loader in ("cache", "py3langid"):
        out = subprocess.run(
            [sys.executable, "-c", LOAD_AND_MEASURE, loader, str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
        )
        grown[loader] = int(out.stdout)
    assert grown["cache"] < 5_000, grown  # kB
    assert grown["py3langid"] > 50_000, grown
