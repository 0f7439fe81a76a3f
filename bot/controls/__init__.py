"""Channel controls without Discord: quiet hours, a daily cap, a digest maximum, why posts wait.

A channel's controls are one stored row (``channel_controls``). Instant posts pass :func:`admit`
before they are sent: in quiet hours they are held (kept, not failed) for one catch-up digest at
the end; over the daily cap they are held for the channel's next digest, or, in a channel without
a schedule, summarised as "N more" on the next day. :func:`explain` says why a post waits.
"""

from bot.controls.gate import CAP, QUIET, Hold, admit, explain, hold_of
from bot.controls.rank import ranked
from bot.controls.window import ControlError, QuietHours, local_day, parse_hhmm

__all__ = [
    "CAP",
    "QUIET",
    "ControlError",
    "Hold",
    "QuietHours",
    "admit",
    "explain",
    "hold_of",
    "local_day",
    "parse_hhmm",
    "ranked",
]
