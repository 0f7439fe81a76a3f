"""Logging set-up: human-readable or JSON lines on stderr, with secrets redacted.

Redaction is a :class:`logging.Filter` on the handler, so every record is masked before it is
formatted, whichever library logged it: the configured token, anything shaped like a Discord
bot token, ``Bot xxx`` / ``Authorization: xxx`` header values, and the token in a webhook's URL
(discord.py logs those URLs at debug level).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

log = logging.getLogger(__name__)

MASK = "[REDACTED]"
# A Discord bot token: base64 user id, a timestamp part and an HMAC, separated by dots.
TOKEN_SHAPE = re.compile(r"\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}\b")
HEADER_SHAPE = re.compile(
    r"(?i)(\b(?:authorization|x-api-key|api[_-]?key|token|password|secret)\b[\"']?\s*[:=]\s*"
    r"[\"']?)(?:(?:bot|bearer|basic)\s+)?[^\s\"',;}]+"
)
BOT_SHAPE = re.compile(r"(?i)\b(bot|bearer)\s+[A-Za-z0-9_.\-=+/]{16,}")
# A webhook's (or an interaction's) token in its URL: /webhooks/{id}/{token}.
WEBHOOK_SHAPE = re.compile(r"(/(?:webhooks|interactions)/\d+/)[A-Za-z0-9_.\-]{16,}")
QUIET_LIBRARIES = ("apscheduler", "trafilatura", "htmldate", "courlan", "charset_normalizer")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the given secrets and anything shaped like a token masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = TOKEN_SHAPE.sub(MASK, text)
    text = BOT_SHAPE.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = WEBHOOK_SHAPE.sub(lambda m: f"{m.group(1)}{MASK}", text)
    return HEADER_SHAPE.sub(lambda m: f"{m.group(1)}{MASK}", text)


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, arguments and exception text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        message = record.getMessage()
        record.msg = redact(message, self._secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Format the traceback now, so the formatter prints the redacted copy.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        return True


class RepeatFilter(logging.Filter):
    """Lets the first of identical warnings and errors through, then one per interval with a count.

    Records are the same when their logger, level and message are (for records with an
    exception: the message template and the exception's type and text, so a library's "job ...
    next run at 10:01:02 raised" counts as one). A repeat that passes again carries the count
    and the exception's one-line summary instead of its traceback: the traceback was shown.
    Below WARNING nothing is held back.
    """

    MAX_KEYS = 1000

    def __init__(
        self, interval: float = 60.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.interval = interval
        self._clock = clock
        self._seen: dict[tuple[object, ...], list[float]] = {}  # key -> [first seen, repeats]

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a repeat within the interval; rewrites the first record after it."""
        if record.levelno < logging.WARNING:
            return True
        key, summary = _repeat_key(record)
        now = self._clock()
        entry = self._seen.get(key)
        if entry is not None and now - entry[0] < self.interval:
            entry[1] += 1
            return False
        if len(self._seen) >= self.MAX_KEYS:
            self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self.interval}
        self._seen[key] = [now, 0]
        if entry is not None and entry[1]:
            text = f"{record.getMessage()} [{summary}] " if summary else f"{record.getMessage()} "
            record.msg = f"{text}(repeated {int(entry[1])} more time(s) in {now - entry[0]:.0f} s)"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def _repeat_key(record: logging.LogRecord) -> tuple[tuple[object, ...], str]:
    """What makes two records the same, and the one-line summary of the exception (if any)."""
    exc = record.exc_info[1] if record.exc_info else None
    if exc is None:
        return (record.name, record.levelno, record.getMessage()), ""
    summary = f"{type(exc).__name__}: {exc}"[:300]
    return (record.name, record.levelno, str(record.msg), summary), summary


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, default=str, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (tests and tools swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        """The current ``sys.stderr``."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def build_handler(
    fmt: str = "text",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    repeat_interval: float = 60.0,
) -> logging.Handler:
    """A stream handler in ``fmt`` ("text" or "json") that redacts secrets and folds repeats."""
    handler: logging.StreamHandler[TextIO] = (
        logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    )
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S"
            )
        )
    handler.addFilter(RepeatFilter(repeat_interval))
    handler.addFilter(RedactingFilter(secrets))
    return handler


def configure_logging(
    level: str = "INFO",
    fmt: str = "text",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send the root logger to a redacting handler (replacing one set up before); returns it.

    Handlers installed by others (pytest's capture, an embedding application) are left alone.
    """
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_briefing", False):
            root.removeHandler(old)
    handler = build_handler(fmt, secrets=secrets, stream=stream)
    handler._briefing = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries are noisy at INFO; their warnings still show.
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(quiet)
    return handler
