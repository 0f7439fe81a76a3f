"""Logging: text or JSON lines, and no token or secret ever reaches the output."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import MASK, build_handler, configure_logging, redact

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbcde.abcdefghijklmnopqrstuvwxyz0123456789AB"
SECRET = "hunter2-the-configured-secret"


@pytest.mark.parametrize(
    ("line", "leaked"),
    [
        (f"connecting with {TOKEN}", TOKEN),
        (f"headers={{'Authorization': 'Bot {TOKEN}'}}", TOKEN),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz"),
        ("Bot sk_live_0123456789abcdefABCDEF", "sk_live_0123456789abcdefABCDEF"),
        ("password=letmein123 host=db", "letmein123"),
        (f"the configured one: {SECRET}", SECRET),
        (
            "Webhook ID 1 with POST http://127.0.0.1/api/v10/webhooks/1579/"
            "b6mvorH6ISN-bb44gwef0Gas has returned status code 200",
            "b6mvorH6ISN-bb44gwef0Gas",
        ),
    ],
)
def test_redact_masks_tokens_and_secrets(line: str, leaked: str) -> None:
    masked = redact(line, [SECRET])
    assert leaked not in masked
    assert MASK in masked


@pytest.mark.parametrize(
    "line",
    ["polled 12 feeds in 0.3 s", "feed https://example.org/feed.xml failed (http_status): 503"],
)
def test_redact_leaves_ordinary_lines_alone(line: str) -> None:
    assert redact(line, [SECRET]) == line


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO, list[logging.Handler]]]:
    stream = io.StringIO()
    log = logging.getLogger(f"tests.ops.logs.{id(stream)}")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    handlers: list[logging.Handler] = []
    yield log, stream, handlers
    for handler in handlers:
        log.removeHandler(handler)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_records_arguments_and_tracebacks_are_redacted(
    logger: tuple[logging.Logger, io.StringIO, list[logging.Handler]], fmt: str
) -> None:
    log, stream, handlers = logger
    handler = build_handler(fmt, secrets=[SECRET], stream=stream)
    handlers.append(handler)
    log.addHandler(handler)
    log.info("login with %s", TOKEN)
    try:
        raise RuntimeError(f"401 for Bot {TOKEN} using {SECRET}")
    except RuntimeError:
        log.exception("request failed")
    output = stream.getvalue()
    assert TOKEN not in output
    assert SECRET not in output
    assert "login with" in output
    assert "RuntimeError" in output


def test_json_lines_carry_level_logger_message_and_extras(
    logger: tuple[logging.Logger, io.StringIO, list[logging.Handler]],
) -> None:
    log, stream, handlers = logger
    handler = build_handler("json", stream=stream)
    handlers.append(handler)
    log.addHandler(handler)
    log.warning("feed %s failed", "https://example.org/feed", extra={"feed_id": 7})
    record = json.loads(stream.getvalue().strip())
    assert record["level"] == "WARNING"
    assert record["logger"] == log.name
    assert record["message"] == "feed https://example.org/feed failed"
    assert record["feed_id"] == 7
    assert record["time"].endswith("+00:00")


def test_configure_logging_replaces_its_own_handler_and_writes_to_current_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    level = root.level
    first = configure_logging("INFO", "text", secrets=[SECRET])
    second = configure_logging("INFO", "json", secrets=[SECRET])
    try:
        assert first not in root.handlers
        logging.getLogger("tests.ops.configure").warning("token %s and %s", TOKEN, SECRET)
        line = capsys.readouterr().err.strip().splitlines()[-1]
        assert json.loads(line)["message"] == f"token {MASK} and {MASK}"
    finally:
        root.removeHandler(second)
        root.setLevel(level)
