"""Feed dates to aware UTC datetimes, including the localised RFC 822 dates real feeds carry."""

from __future__ import annotations

import calendar
import logging
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

log = logging.getLogger(__name__)

# Dates later than this past "now" are a publisher's clock or template bug, not a schedule.
MAX_FUTURE = timedelta(days=2)
# Dates before this are placeholders (epoch 0, year 1, "0000-00-00"), not publication times.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

# Month names and abbreviations in the languages seen in feeds (pt, es, it, fr, de, nl).
_MONTHS = {
    "jan": 1, "janeiro": 1, "enero": 1, "ene": 1, "gennaio": 1, "gen": 1, "janvier": 1, "janv": 1,
    "januar": 1, "jän": 1, "januari": 1,
    "fev": 2, "fevereiro": 2, "febrero": 2, "feb": 2, "febbraio": 2, "février": 2, "fevrier": 2,
    "févr": 2, "fevr": 2, "februar": 2, "februari": 2,
    "mar": 3, "março": 3, "marco": 3, "marzo": 3, "mars": 3, "märz": 3, "mär": 3, "maart": 3,
    "mrt": 3,
    "abr": 4, "abril": 4, "apr": 4, "aprile": 4, "avril": 4, "avr": 4, "april": 4,
    "mai": 5, "maio": 5, "mayo": 5, "may": 5, "maggio": 5, "mag": 5, "mei": 5,
    "jun": 6, "junho": 6, "junio": 6, "giugno": 6, "giu": 6, "juin": 6, "juni": 6,
    "jul": 7, "julho": 7, "julio": 7, "luglio": 7, "lug": 7, "juillet": 7, "juil": 7, "juli": 7,
    "ago": 8, "agosto": 8, "aug": 8, "août": 8, "aout": 8, "august": 8, "augustus": 8,
    "set": 9, "setembro": 9, "septiembre": 9, "sep": 9, "sept": 9, "settembre": 9,
    "septembre": 9, "september": 9,
    "out": 10, "outubro": 10, "octubre": 10, "oct": 10, "ottobre": 10, "ott": 10, "octobre": 10,
    "okt": 10, "oktober": 10,
    "nov": 11, "novembro": 11, "noviembre": 11, "novembre": 11, "november": 11,
    "dez": 12, "dezembro": 12, "diciembre": 12, "dic": 12, "dicembre": 12, "déc": 12,
    "dec": 12, "décembre": 12, "decembre": 12, "dezember": 12, "december": 12,
}  # fmt: skip
_ENGLISH = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# "[weekday,] day month year time [zone]" with words in any language.
_RFC822ISH = re.compile(
    r"^\s*(?:[^\W\d]+\.?,?\s+)?(\d{1,2})\.?\s+([^\W\d]+)\.?\s+(\d{2,4})\s+(\d{1,2}:\d{2}(?::\d{2})?)"
    r"\s*(.*)$"
)


def from_struct(value: time.struct_time | None) -> datetime | None:
    """An aware UTC datetime from feedparser's ``*_parsed`` (a UTC ``struct_time``)."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def parse_date(text: str | None) -> datetime | None:
    """Parse an RFC 3339 / ISO 8601 or (possibly localised) RFC 822 date; None when unusable."""
    if not text or not text.strip():
        return None
    text = text.strip()
    for parse in (_iso, _rfc822, _localised):
        try:
            value = parse(text)
        except (ValueError, TypeError, OverflowError, IndexError):
            continue
        if value is not None:
            return _as_utc(value)
    return None


def settle(published: datetime | None, now: datetime) -> tuple[datetime, bool]:
    """The date to record and whether it was estimated: ``now`` replaces missing or absurd dates."""
    now = _as_utc(now)
    if published is None:
        return now, True
    published = _as_utc(published)
    if published < EARLIEST or published > now + MAX_FUTURE:
        return now, True
    return published, False


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _iso(text: str) -> datetime | None:
    if not text[:4].isdigit():
        return None
    return datetime.fromisoformat(text.replace("z", "Z"))


def _rfc822(text: str) -> datetime | None:
    return parsedate_to_datetime(text)


def _localised(text: str) -> datetime | None:
    match = _RFC822ISH.match(text)
    if not match:
        return None
    day, month_name, year, clock, zone = match.groups()
    month = _MONTHS.get(month_name.casefold())
    if month is None:
        return None
    if len(year) == 2:
        year = ("20" if int(year) < 70 else "19") + year
    if clock.count(":") == 1:
        clock += ":00"
    english = f"{int(day):02d} {_ENGLISH[month]} {year} {clock} {zone.strip() or '+0000'}"
    return parsedate_to_datetime(english)
