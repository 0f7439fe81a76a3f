"""py3langid's model memory-mapped from a cache file, so every worker process shares its pages.

py3langid unpacks its compressed model into about 75 MB of arrays in each process that loads
it: with two workers and a recycled one starting, that is a third of the bot's memory. The
arrays are unpacked once into ``$XDG_CACHE_HOME/briefing`` (``~/.cache/briefing``) as ``.npy``
files and mapped read-only: the kernel keeps one copy in its page cache for all processes.
A cache that cannot be read is rebuilt; one that cannot be written falls back to py3langid's
own loader (private memory, as before).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import load_model

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the files below change meaning
# name -> dtype of each mapped array; "classes" (a few hundred bytes) is read into memory.
ARRAYS = {
    "ptc": np.dtype(np.float16),  # feature x language log-probabilities
    "pc": np.dtype(np.float32),  # language priors
    "nextmove": np.dtype(np.uint32),  # DFA transition rows, 256 per distinct row
    "rowbase": np.dtype(np.uint32),  # state -> offset of its row in nextmove
    "output": np.dtype(np.int32),  # state -> feature it emits, or -1
}


def cache_root() -> Path:
    """Where Briefing keeps files it can rebuild: ``$XDG_CACHE_HOME/briefing``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefing"


def load_identifier(root: Path | None = None) -> Any:
    """py3langid's identifier (normalised probabilities) over arrays mapped from the cache."""
    source = Path(MODEL_DIR) / MODEL_FILE
    target = (root or cache_root()) / f"langid-{_stamp(source)}"
    try:
        return _open(target)
    except (OSError, ValueError) as exc:
        if target.exists():
            log.warning("language model cache %s is unreadable (%s): rebuilding it", target, exc)
    try:
        _build(source, target)
        return _open(target)
    except (OSError, ValueError) as exc:
        log.warning("cannot cache the language model in %s (%s): loading it privately", target, exc)
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _stamp(source: Path) -> str:
    """Names the cache after the model it was made from, so an upgraded py3langid rebuilds it."""
    stat = source.stat()
    key = f"{FORMAT}:{importlib.metadata.version('py3langid')}:{stat.st_size}:{stat.st_mtime_ns}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _open(target: Path) -> Any:
    arrays = {
        name: np.load(target / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in ARRAYS
    }
    classes = np.load(target / "classes.npy", allow_pickle=False).tolist()
    _check(arrays, classes)
    # memoryviews index to plain ints as fast as py3langid's own array.array.
    identifier = LanguageIdentifier(
        arrays["ptc"],
        arrays["pc"],
        classes,
        memoryview(arrays["nextmove"]),
        memoryview(arrays["output"]),
        norm_probs=True,
        tk_row=[],  # rows are given pre-shifted below
    )
    identifier._rowbase = memoryview(arrays["rowbase"])  # a shared map, not a 4 MB list each
    return identifier


def _check(arrays: dict[str, Any], classes: list[str]) -> None:
    """Refuse arrays that do not fit together (a truncated or foreign file)."""
    for name, dtype in ARRAYS.items():
        if arrays[name].dtype != dtype:
            raise ValueError(f"{name} holds {arrays[name].dtype}, not {dtype}")
    ptc, nextmove, rowbase = arrays["ptc"], arrays["nextmove"], arrays["rowbase"]
    if ptc.ndim != 2 or not ptc.shape[1] == len(arrays["pc"]) == len(classes):
        raise ValueError("the model's tables disagree on the number of languages")
    if nextmove.size % 256 or rowbase.shape != arrays["output"].shape or not rowbase.size:
        raise ValueError("the model's automaton is malformed")
    if int(rowbase.max()) + 256 > nextmove.size:
        raise ValueError("the model's automaton points past its rows")


def _build(source: Path, target: Path) -> None:
    """Unpack the model into ``target`` atomically: a directory renamed into place when whole."""
    ptc, pc, classes, nextmove, row, output = load_model(source)
    arrays = {
        "ptc": ptc,
        "pc": pc,
        "nextmove": np.frombuffer(nextmove, dtype=nextmove.typecode),
        "rowbase": np.frombuffer(row, dtype=row.typecode).astype(np.uint64) << 8,
        "output": np.asarray(output),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, dtype in ARRAYS.items():
            np.save(staging / f"{name}.npy", arrays[name].astype(dtype), allow_pickle=False)
        np.save(staging / "classes.npy", np.array(classes), allow_pickle=False)
        _replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``; a broken ``target`` is moved aside first."""
    if target.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        with contextlib.suppress(OSError):  # another process moved it already
            target.rename(aside / "model")
        shutil.rmtree(aside, ignore_errors=True)
    try:
        staging.rename(target)
    except OSError:
        if not target.is_dir():  # else another process built it meanwhile: use theirs
            raise
