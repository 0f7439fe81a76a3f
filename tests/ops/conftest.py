"""Fixtures of the operations tests: the poller's (a clocked store, a real pipeline)."""

from tests.poller.conftest import clock, clocked_store, pipeline, workers

__all__ = ["clock", "clocked_store", "pipeline", "workers"]
