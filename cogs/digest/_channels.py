"""The error of a channel a digest cannot be posted in."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class ChannelUnavailable(Exception):
    """The channel is not one the bot can post a digest in."""
