"""When a server's daily post is due: pure functions over local time, time zones and UTC.

Nothing here does I/O or keeps state; every function takes "now" as an argument.

Time-zone rules (decided, and tested against America/New_York):

* The configured wall-clock time is combined with each local date using ``fold=0`` (PEP 495),
  which gives exactly one UTC instant per local date, so a guild is due exactly once a day.
* Spring forward (a time that does not exist, e.g. 02:30 on 2026-03-08 in New York): ``fold=0``
  reads 02:30 with the offset in force *before* the jump, so the post goes out at 03:30 EDT,
  the same distance past the transition. It is shifted forward, never dropped.
* Fall back (a time that happens twice, e.g. 01:30 on 2026-11-01 in New York): ``fold=0``
  picks the first occurrence (01:30 EDT). The repeated hour is never posted again, because the
  instant belongs to that local date and a date is claimed only once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

WEEKEND = frozenset({5, 6})  # date.weekday(): Saturday, Sunday
EXAMPLE_ZONE = "America/New_York"

# Keys in the tz database that are not useful (or are misleading) as a server's zone.
_EXCLUDED_ZONES = frozenset({"localtime", "posixrules", "Factory"})

# Offered first for an empty autocomplete query, and ranked first among matches.
COMMON_ZONES: tuple[str, ...] = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
    "America/Toronto", "America/Vancouver", "America/Mexico_City", "Europe/London",
    "Europe/Dublin", "Europe/Berlin", "Africa/Lagos", "Africa/Nairobi", "Asia/Dubai",
    "Asia/Karachi", "Asia/Kolkata", "Asia/Manila", "Asia/Singapore", "Australia/Sydney",
    "Pacific/Auckland", "UTC",
)  # fmt: skip

# Abbreviations people type that are not (useful) IANA names; used for suggestions only.
_ABBREVIATIONS: dict[str, str] = {
    **dict.fromkeys(("et", "est", "edt", "eastern"), "America/New_York"),
    **dict.fromkeys(("ct", "cst", "cdt", "central"), "America/Chicago"),
    **dict.fromkeys(("mt", "mdt", "mountain"), "America/Denver"),
    **dict.fromkeys(("pt", "pst", "pdt", "pacific"), "America/Los_Angeles"),
    "akst": "America/Anchorage", "hst": "Pacific/Honolulu", "ist": "Asia/Kolkata",
    "pht": "Asia/Manila", "bst": "Europe/London",
}  # fmt: skip


class ScheduleError(ValueError):
    """A setting an admin typed is invalid; the message is fit to show them as is."""


class UnknownTimeZoneError(ScheduleError):
    """The name is not an IANA time zone known to this system (zoneinfo + tzdata)."""

    def __init__(self, name: str, suggestions: Iterable[str] = ()):
        self.name = name
        self.suggestions = tuple(suggestions)
        message = (
            f"Unknown time zone {name!r}. Use an IANA name such as {EXAMPLE_ZONE}, "
            "Europe/London or Asia/Manila."
        )
        if self.suggestions:
            message += f" Did you mean {', '.join(self.suggestions)}?"
        super().__init__(message)


class InvalidPostTimeError(ScheduleError):
    """The text is not a time of day we accept."""

    def __init__(self, text: str, detail: str | None = None):
        self.text = text
        why = f" ({detail})" if detail else ""
        super().__init__(
            f"{text!r} is not a valid time{why}. Use 24-hour HH:MM such as 09:00 or 17:30, "
            "or 9am / 5:30pm."
        )


# --------------------------------------------------------------------------- time of day

_TIME_RE = re.compile(
    r"^(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?:(?P<ampm>[ap])\.?\s*m\.?)?$",
    re.IGNORECASE | re.ASCII,
)


def parse_post_time(text: str | time) -> time:
    """Parse a time of day strictly.

    Accepts ``09:05``, ``9:05``, ``21:30``, ``9am``, ``9 AM``, ``5:30pm``, ``12am`` (midnight),
    ``12pm`` (noon). Rejects seconds, ``24:00``, ``9`` without am/pm and anything else with
    `InvalidPostTimeError`. A `datetime.time` is accepted if it is a whole minute.
    """
    if isinstance(text, time):
        if text.second or text.microsecond or text.tzinfo is not None:
            raise InvalidPostTimeError(str(text), "use whole minutes, without a time zone")
        return text
    raw = text
    if not isinstance(text, str):
        raise InvalidPostTimeError(repr(text))
    cleaned = text.strip()
    match = _TIME_RE.match(cleaned)
    if not match:
        raise InvalidPostTimeError(raw)
    hour = int(match.group("hour"))
    minute_text = match.group("minute")
    minute = int(minute_text) if minute_text is not None else 0
    ampm = match.group("ampm")
    if ampm is None:
        if minute_text is None:
            raise InvalidPostTimeError(raw, "add minutes or am/pm")
        if hour > 23:
            raise InvalidPostTimeError(raw, "the hour must be 00-23")
    else:
        if not 1 <= hour <= 12:
            raise InvalidPostTimeError(raw, "with am/pm the hour must be 1-12")
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    if minute > 59:
        raise InvalidPostTimeError(raw, "the minutes must be 00-59")
    return time(hour, minute)


def format_post_time(value: time) -> str:
    """The canonical stored form, ``HH:MM``."""
    return f"{value.hour:02d}:{value.minute:02d}"


# --------------------------------------------------------------------------- time zones


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones() - _EXCLUDED_ZONES))


@lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    return {_fold(zone): zone for zone in _zones()}


def _fold(name: str) -> str:
    return re.sub(r"[\s_]+", "_", name.strip().lower())


def normalize_timezone(name: str) -> str:
    """Return the canonical IANA key for `name` (case and spaces forgiven: "america/new york").

    Raises `UnknownTimeZoneError` naming the zone and suggesting an example otherwise.
    """
    if not isinstance(name, str) or not name.strip():
        raise UnknownTimeZoneError(str(name) if name is not None else "", [])
    canonical = _zones_by_folded_name().get(_fold(name))
    if canonical is None:
        raise UnknownTimeZoneError(name.strip(), suggest_timezones(name, limit=3))
    return canonical


def get_zone(name: str) -> ZoneInfo:
    """`ZoneInfo` for a (case-forgiving) IANA name; `UnknownTimeZoneError` if unknown."""
    return ZoneInfo(normalize_timezone(name))


def suggest_timezones(prefix: str, limit: int = 25) -> list[str]:
    """Time zones for autocomplete: common zones first when `prefix` is empty, else matches.

    Matching is fuzzy-ish and case-insensitive: spaces count as underscores, and a zone matches
    when the whole text typed is found in it, or when every word of it is ("york new").
    Exact and prefix matches rank first, then city-prefix matches ("chic" -> America/Chicago),
    then other contains matches; common zones win ties. Abbreviations such as "PST" or "EST"
    also suggest the zone people usually mean.
    """
    limit = max(0, limit)
    folded = _fold(prefix or "")
    if not folded:
        return list(COMMON_ZONES[:limit])
    words = [w for w in re.split(r"[\s_/]+", folded) if w]
    common_rank = {zone: i for i, zone in enumerate(COMMON_ZONES)}
    scored: list[tuple[int, int, str]] = []
    alias = _ABBREVIATIONS.get(folded)
    for zone in _zones():
        lowered = zone.lower()
        city = lowered.rsplit("/", 1)[-1]
        if lowered == folded:
            tier = 0
        elif zone == alias:
            tier = 1
        elif lowered.startswith(folded):
            tier = 2
        elif city.startswith(folded) or any(p.startswith(folded) for p in lowered.split("/")):
            tier = 3
        elif folded in lowered:
            tier = 4
        elif len(words) > 1 and all(w in lowered for w in words):
            tier = 5
        else:
            continue
        # Legacy aliases ("US/Eastern", "Etc/GMT+5", "EST5EDT") after real Area/City names.
        legacy = 0 if "/" in zone and not zone.startswith(("Etc/", "US/", "SystemV/")) else 1
        scored.append((tier, common_rank.get(zone, len(COMMON_ZONES)) + legacy * 1000, zone))
    scored.sort()
    return [zone for *_, zone in scored[:limit]]


# --------------------------------------------------------------------------- the schedule


@dataclass(frozen=True, slots=True)
class Schedule:
    """A server's validated daily schedule: wall-clock time, zone, weekend rule."""

    post_time: time
    zone: ZoneInfo
    skip_weekends: bool = False

    @classmethod
    def parse(cls, post_time: str | time, timezone: str, skip_weekends: bool = False) -> Schedule:
        """Validate admin input; raises `InvalidPostTimeError` / `UnknownTimeZoneError`."""
        return cls(parse_post_time(post_time), get_zone(timezone), bool(skip_weekends))

    @property
    def timezone(self) -> str:
        return self.zone.key

    def skips(self, local_date: date) -> bool:
        """True if nothing is due on this local date at all (a weekend, when skipped)."""
        return self.skip_weekends and local_date.weekday() in WEEKEND

    def local_date(self, at: datetime) -> date:
        """The server's local calendar date at an aware instant."""
        return _utc(at).astimezone(self.zone).date()

    def scheduled_utc(self, local_date: date) -> datetime:
        """The one UTC instant the post for `local_date` is due (fold=0; see module docs)."""
        return datetime.combine(local_date, self.post_time, tzinfo=self.zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Due:
    """The next daily post: the server-local date it is for and when it is due, in UTC."""

    local_date: date
    at_utc: datetime


def next_due(
    schedule: Schedule,
    now_utc: datetime,
    *,
    after: date | None = None,
    catchup: timedelta = timedelta(0),
) -> Due:
    """The earliest local date whose post can still go out, and its scheduled instant.

    Candidates are local dates from today on (and after `after`, the last date already handled),
    skipping weekends if the schedule says so. Today qualifies if its instant is in the future,
    or passed no more than `catchup` ago (so a restart within the window still posts today);
    a later date always qualifies. With the default ``catchup=0`` this is simply "the next
    scheduled instant at or after now" - what an admin expects after changing the settings.
    """
    now_utc = _utc(now_utc)
    today = schedule.local_date(now_utc)
    day = today if after is None else max(today, after + timedelta(days=1))
    for _ in range(15):  # at most two weekend days are skipped in any week
        if not schedule.skips(day):
            at = schedule.scheduled_utc(day)
            if day != today or now_utc - at <= catchup:
                return Due(day, at)
        day += timedelta(days=1)
    raise AssertionError("unreachable: a week always has a weekday")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class Decision:
    """What a tick should do about the post for one local date."""

    action: Literal["post", "skip", "wait"]
    scheduled_utc: datetime
    reason: str | None = None


def decide(schedule: Schedule, local_date: date, now_utc: datetime, catchup: timedelta) -> Decision:
    """Post, skip (with a reason to show admins) or wait, for the post of `local_date`.

    * before the scheduled instant: ``wait``;
    * the same local day and no more than `catchup` late: ``post`` (this covers a normal tick,
      a retry a few minutes later, and catch-up after a restart);
    * later than that, or once the local day is over: ``skip``.
    A weekend date of a weekend-skipping schedule is a ``skip`` with a reason too; the caller
    normally never gets that far because `next_due` never picks such a date.
    """
    now_utc = _utc(now_utc)
    at = schedule.scheduled_utc(local_date)
    if schedule.skips(local_date):
        return Decision("skip", at, f"{local_date:%A} {local_date}: weekends are skipped")
    if now_utc < at:
        return Decision("wait", at)
    late = now_utc - at
    today = schedule.local_date(now_utc)
    if today <= local_date and late <= catchup:
        return Decision("post", at)
    when = f"{format_post_time(schedule.post_time)} {schedule.timezone}"
    if today > local_date:
        return Decision(
            "skip",
            at,
            f"Missed the post for {local_date} ({when}): the bot only got to it "
            f"{format_duration(late)} late, after that local day had ended.",
        )
    return Decision(
        "skip",
        at,
        f"Missed the post for {local_date} ({when}): the bot only got to it "
        f"{format_duration(late)} late, beyond the {format_duration(catchup)} catch-up "
        "window.",
    )


def format_duration(delta: timedelta) -> str:
    """``2d 3h``, ``7h 12m``, ``5m``, ``0m``: compact and human."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m"


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {value!r}")
    return value.astimezone(UTC)
