"""Repeated warnings are folded: the first passes, then one per interval with a count."""

from __future__ import annotations

import io
import logging

from bot.logs import RepeatFilter, build_handler


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _logger(stream: io.StringIO, ticks: Ticks) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RepeatFilter(60.0, clock=ticks))
    logger = logging.getLogger(f"test.repeats.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger


def test_identical_warnings_pass_once_per_interval_with_a_count() -> None:
    stream, ticks = io.StringIO(), Ticks()
    log = _logger(stream, ticks)
    for second in range(180):  # three minutes of the same failure, one a second
        ticks.now = 1000.0 + second
        log.warning("database unreachable: %s", "Connect call failed")
        log.info("info is never held back %d", second % 2)
    lines = [line for line in stream.getvalue().splitlines() if "WARNING" in line]
    assert len(lines) == 3
    assert lines[0].endswith("database unreachable: Connect call failed")
    assert lines[1].endswith("(repeated 59 more time(s) in 60 s)")
    assert stream.getvalue().count("info is never held back") == 180


def test_different_messages_are_not_folded_together() -> None:
    stream, ticks = io.StringIO(), Ticks()
    log = _logger(stream, ticks)
    for n in range(5):
        log.warning("delivery %d failed", n)
    assert stream.getvalue().count("failed") == 5


def test_a_repeated_traceback_is_shown_once_then_summarised() -> None:
    stream, ticks = io.StringIO(), Ticks()
    log = _logger(stream, ticks)
    for second in range(0, 150, 5):
        ticks.now = 1000.0 + second
        try:
            raise ConnectionRefusedError(111, "Connect call failed")
        except OSError:
            # A library's message that changes each time, with the same error under it.
            log.exception("job (next run at %d) raised an exception", second)
    text = stream.getvalue()
    assert text.count("Traceback") == 1
    assert text.count("raised an exception") == 3
    assert "[ConnectionRefusedError: [Errno 111] Connect call failed] (repeated 11" in text


def test_the_product_handler_folds_repeats() -> None:
    stream = io.StringIO()
    handler = build_handler(stream=stream)
    record = logging.makeLogRecord({"msg": "same", "levelno": logging.WARNING})
    for _ in range(3):
        if handler.filter(record):
            handler.emit(record)
    assert stream.getvalue().count("same") == 1
