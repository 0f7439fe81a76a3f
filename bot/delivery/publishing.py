"""When a post of an announcement channel may be published: Discord allows 10 an hour a channel.

Discord answers the eleventh publish of an hour in a channel with a 429 whose wait runs to the
end of the hour, and an HTTP client that honours it (discord.py, by default) holds the channel's
whole lane for that hour. So the publishes a channel made in the last hour are counted from the
outbox (every process's, through the database) before each publish: over the limit, the
message stays posted and its publish waits in the outbox for the hour's first slot to free,
while the channel's later posts go on. Publishes made by hand count toward the same limit and
are not in the outbox: a publish Discord holds back for them is tried again later. A publish
still waiting a day after its post was queued is given up: followers would get day-old news.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

# Publishes per channel in a window. Discord allows 10 an hour, but once its answer says none
# is left, discord.py sleeps out the rest of the hour inside the call that used the last one:
# the outbox stops one short, so no publish call ever waits for the hour to end.
PUBLISH_LIMIT = 9
PUBLISH_WINDOW = timedelta(hours=1)
PUBLISH_GIVE_UP = timedelta(hours=24)  # a post not published by then stays unpublished
# A publish Discord holds back longer than this (a 429 for publishes made by hand, which the
# outbox cannot count) is tried again this many seconds later instead.
PUBLISH_PATIENCE = 30.0
PUBLISH_RETRY = 900.0


def publish_slot(recent: Sequence[datetime], now: datetime) -> datetime | None:
    """None when a publish may go out now, else when the channel's next slot frees.

    ``recent``: when the channel's publishes of the last window went out.
    """
    inside = sorted(at for at in recent if at > now - PUBLISH_WINDOW)
    if len(inside) < PUBLISH_LIMIT:
        return None
    return inside[len(inside) - PUBLISH_LIMIT] + PUBLISH_WINDOW


def too_late(posted_at: datetime, now: datetime) -> bool:
    """Whether a publish still waiting is given up (the post is a day old)."""
    return now - posted_at > PUBLISH_GIVE_UP
