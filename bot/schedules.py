"""Channel digest schedules without Discord: parse and check them, time them, compose digests.

A schedule's ``cron`` is stored as the user meant it, in crontab syntax (a daily "HH:MM" becomes
"M H * * *"). APScheduler 3 numbers weekdays from Monday, unlike cron, so the day-of-week field is
translated to weekday names before APScheduler computes fire times.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from bot.controls import rank
from bot.errors import BriefingError
from bot.store.rows import ArticleRow, DeliveryRow, ScheduleRow

log = logging.getLogger(__name__)

DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron order: 0 (and 7) is Sunday
_HHMM = re.compile(r"(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)")
_DAILY = re.compile(r"(?P<m>\d{1,2}) (?P<h>\d{1,2}) \* \* \*")


class ScheduleError(BriefingError, ValueError):
    """A schedule the user must correct; the message says what is wrong and what to write."""


@dataclass(frozen=True, slots=True)
class FeedGroup:
    """The articles of one feed in a digest, freshest first."""

    feed_id: int | None
    title: str
    articles: tuple[ArticleRow, ...]


@dataclass(frozen=True, slots=True)
class ChannelDigest:
    """What one digest run posts in a channel: pending articles grouped by feed."""

    channel_id: int
    groups: tuple[FeedGroup, ...]
    delivery_ids: dict[int, int]  # article id -> delivery id (marked sent once posted)
    left_out: tuple[int, ...] = ()  # delivery ids beyond the channel's digest maximum
    more: int = 0  # articles named only as "N more" (those left out, and any summarised)

    @property
    def count(self) -> int:
        """How many articles the digest carries."""
        return sum(len(g.articles) for g in self.groups)


OTHER_NEWS = "Other news"  # the group of posts whose feed is no longer followed


def parse_at(at: str) -> str:
    """The crontab expression for ``at``: "HH:MM" (daily) or a 5-field cron expression."""
    text = " ".join(at.split())
    match = _HHMM.fullmatch(text)
    if match:
        return f"{int(match['m'])} {int(match['h'])} * * *"
    if ":" in text or len(text.split()) != 5:
        raise ScheduleError(
            f"`{at}` is neither a time nor a cron expression: write HH:MM for a daily digest "
            "(e.g. 07:30) or five cron fields (e.g. `0 8 * * mon-fri`)."
        )
    trigger = cron_trigger(text, "UTC")
    if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
        raise ScheduleError(f"`{text}` never fires: check the day and month fields.")
    return text


def check_timezone(name: str) -> str:
    """The IANA time zone ``name`` (e.g. Europe/Paris), or a ScheduleError saying how to fix it."""
    cleaned = name.strip()
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"`{name}` is not a known time zone: pick an IANA name from the list, "
            "e.g. Europe/Paris or America/New_York."
        ) from None
    return cleaned


def cron_trigger(cron: str, timezone: str) -> CronTrigger:
    """The APScheduler trigger of a crontab expression in a time zone."""
    fields = cron.split()
    if len(fields) != 5:
        raise ScheduleError(f"`{cron}` needs five fields: minute hour day month weekday.")
    minute, hour, day, month, weekday = fields
    if day != "*" and weekday != "*":
        # cron fires when either matches, APScheduler when both do: refuse the ambiguity.
        raise ScheduleError(
            f"`{cron}` restricts both the day of the month and the weekday: keep one of them `*`."
        )
    weekdays = _weekdays(weekday)
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=weekdays,
            timezone=ZoneInfo(timezone),
        )
    except ValueError as exc:
        raise ScheduleError(f"`{cron}` is not a valid cron expression: {exc}.") from None


def next_run(cron: str, timezone: str, after: datetime) -> datetime | None:
    """When the schedule fires next, strictly after ``after`` (UTC), or None if never.

    Each wall-clock time fires at most once: when clocks go back, the repeated hour does not
    fire again; a time skipped when clocks go forward fires an hour later (APScheduler's choice).
    """
    trigger = cron_trigger(cron, timezone)
    zone = ZoneInfo(timezone)
    # Fire times are whole seconds: the first one after ``after`` is at least this.
    start = as_utc(after).replace(microsecond=0) + timedelta(seconds=1)
    for _ in range(1000):  # a repeated hour holds at most 60 minute marks
        fire: datetime | None = trigger.get_next_fire_time(None, start)
        if fire is None:
            return None
        local = fire.astimezone(zone)
        repeated = local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()
        if not repeated and fire > after:
            return fire.astimezone(UTC)
        # Step on in UTC: arithmetic on local times drops the fold and can go backwards.
        start = fire.astimezone(UTC) + timedelta(seconds=1)
    return None


def describe(cron: str) -> str:
    """How a schedule reads in replies: "daily at 07:30" or the cron expression."""
    match = _DAILY.fullmatch(cron)
    if match:
        return f"daily at {int(match['h']):02d}:{int(match['m']):02d}"
    return f"cron `{cron}`"


def due_schedules(schedules: Iterable[ScheduleRow], now: datetime) -> list[ScheduleRow]:
    """The schedules whose next run is at or before ``now``, the most overdue first."""
    due = [s for s in schedules if s.next_run_at is not None and as_utc(s.next_run_at) <= now]
    return sorted(due, key=lambda s: (as_utc(s.next_run_at or now), s.id))


def compose(
    channel_id: int,
    deliveries: Sequence[DeliveryRow],
    *,
    cutoff: datetime | None = None,
    maximum: int | None = None,
    coverage: Mapping[int, int] | None = None,
    summarised: int = 0,
) -> ChannelDigest:
    """Group a channel's pending digest posts by feed, freshest feed and article first.

    Posts queued after ``cutoff`` wait for the next run, so a run retried after a crash sees the
    same posts as the first attempt. With ``maximum``, only that many articles are shown, the
    best :func:`~bot.controls.rank.ranked` (``coverage``: feeds per article); the rest, and
    ``summarised`` others, are named as "N more".
    """
    chosen: dict[int, DeliveryRow] = {}
    for row in deliveries:
        if row.article is None or row.channel_id != channel_id:
            continue
        if cutoff is not None and as_utc(row.created_at) > cutoff:
            continue
        chosen.setdefault(row.article.id, row)
    rows = list(chosen.values())
    left_out: list[int] = []
    if maximum is not None and len(rows) > maximum:
        best = rank.ranked(rows, coverage or {})
        rows, left_out = best[:maximum], [r.id for r in best[maximum:]]
    by_feed: dict[int | None, list[ArticleRow]] = {}
    titles: dict[int | None, str] = {}
    ids: dict[int, int] = {}
    for row in rows:
        assert row.article is not None  # kept above
        ids[row.article.id] = row.id
        by_feed.setdefault(row.feed_id, []).append(row.article)
        titles.setdefault(row.feed_id, row.feed_title or OTHER_NEWS)
    groups = [
        FeedGroup(feed_id, titles[feed_id], tuple(sorted(articles, key=_freshness)))
        for feed_id, articles in by_feed.items()
    ]
    groups.sort(key=lambda g: (_freshness(g.articles[0])[0], g.title.casefold(), g.feed_id or 0))
    more = len(left_out) + summarised
    return ChannelDigest(channel_id, tuple(groups), ids, tuple(left_out), more)


def timezone_choices(query: str, names: Iterable[str], *, limit: int = 25) -> list[str]:
    """Time zone names matching ``query``: exact, then prefix of the name, of its city, then any."""
    needle = query.strip().casefold().replace(" ", "_")
    ranked: list[tuple[int, str]] = []
    for name in names:
        folded = name.casefold()
        city = folded.rsplit("/", 1)[-1]
        if folded == needle:
            ranked.append((0, name))
        elif folded.startswith(needle):
            ranked.append((1, name))
        elif city.startswith(needle):
            ranked.append((2, name))
        elif needle in folded:
            ranked.append((3, name))
    return [name for _, name in sorted(ranked)[:limit]]


def _freshness(article: ArticleRow) -> tuple[float, int]:
    return (-as_utc(article.published).timestamp(), article.id)


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (SQLite hands stored datetimes back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _weekdays(field: str) -> str:
    """A crontab day-of-week field as APScheduler weekday names (cron's 0 and 7 are Sunday)."""
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.casefold().split(","):
        part, slash, step_text = item.partition("/")
        if slash and (not step_text.isdigit() or int(step_text) == 0):
            raise ScheduleError(f"`{item}` has an invalid step in the weekday field.")
        step = int(step_text) if slash else 1
        if part == "*":
            low, high = 0, 6
        elif "-" in part:
            first, last = part.split("-", 1)
            low, high = _day(first), _day(last)
            high = 7 if high == 0 and low > 0 else high  # "fri-sun"
        else:
            low = _day(part)
            high = 6 if slash else low
        if low > high:
            raise ScheduleError(f"`{item}` is an empty weekday range.")
        days.update(d % 7 for d in range(low, high + 1, step))
    return ",".join(DAYS[d] for d in sorted(days))


def _day(token: str) -> int:
    if token.isdigit() and int(token) <= 7:
        return int(token)
    if token in DAYS:
        return DAYS.index(token)
    raise ScheduleError(f"`{token}` is not a weekday: use 0-7 (0 and 7 are Sunday) or sun-sat.")
