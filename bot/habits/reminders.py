"""The daily review reminder by DM: when it is due, and one pass of sending the due ones.

Claim before send: each member's reminder for a local date is taken in the database (a
compare-and-set on the instant that was due, moving it to the next day) before the DM goes
out, so a restart or a second process never sends it twice. A pass that finds a reminder
missed while the bot was down sends it late within `CATCHUP`, so a restart skips nothing
either; older than that, the day is dropped. A member whose DMs are closed (Discord's
403/50007) is marked and not tried again until they set the reminder anew.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UserError
from bot.habits.repository import HabitsRepository
from bot.scheduling.times import UnknownTimeZoneError, get_zone, suggest_timezones

log = logging.getLogger(__name__)

CATCHUP = timedelta(hours=6)
DEFAULT_ZONE = "UTC"


class DmClosed(Exception):
    """The member does not accept DMs from the bot."""


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone, read as /tips reads one (case and spaces forgiven), or a UserError that
    names it and suggests the zones it is close to."""
    try:
        return get_zone(name)
    except UnknownTimeZoneError as exc:
        raise UserError(str(exc)) from exc
    except ZoneInfoNotFoundError as exc:  # listed but not loadable: no tzdata for it
        raise UserError(f"The time zone {name!r} is not available here.") from exc


# Autocomplete for /me's zone: the same list and order as /tips and /qotd.
zone_choices = suggest_timezones


def parse_local_time(text: str) -> time:
    try:
        hours, minutes = (int(part) for part in text.strip().split(":"))
        return time(hours, minutes)
    except ValueError:
        raise UserError(f"{text!r} is not a time: use 24-hour HH:MM, e.g. 07:30.") from None


def parse_exam_date(text: str, today: date) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2027-03-15.") from None
    if day < today:
        raise UserError(f"{day:%d %B %Y} has passed: give the date of your next exam.")
    return day


def occurrence(local_time: time, zone: ZoneInfo, day: date) -> datetime:
    """The instant of `local_time` on `day` in `zone`. A time skipped by a spring-forward
    lands just after the gap; a time repeated by a fall-back is its first occurrence."""
    local = datetime.combine(day, local_time, zone)
    return local.astimezone(UTC).astimezone(zone).astimezone(UTC)


def next_occurrence(local_time: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first instant of `local_time` in `zone` strictly after `after`."""
    day = after.astimezone(zone).date()
    for offset in range(3):
        candidate = occurrence(local_time, zone, day + timedelta(days=offset))
        if candidate > after:
            return candidate
    raise AssertionError("a local time occurs at least once in three days")


@dataclass(frozen=True)
class ReminderPass:
    sent: list[int]
    skipped: list[int]  # nothing due, or missed beyond the catch-up window
    closed: list[int]  # DMs closed: marked, not tried again
    failed: list[int]  # another error: that day's reminder is given up (never sent twice)


async def send_due_reminders(
    repo: HabitsRepository,
    now: datetime,
    send: Callable[[int, int], Awaitable[None]],
    limit: int = 200,
) -> ReminderPass:
    """Send the reminders due by `now`: `send(member_id, due_cards)` raises DmClosed when the
    member's DMs are closed."""
    result = ReminderPass([], [], [], [])
    for prefs in await repo.reminders_due(now, limit):
        if prefs.reminder_time is None or prefs.reminder_next_at is None:
            continue
        zone = prefs.zone or ZoneInfo(DEFAULT_ZONE)
        due_at = prefs.reminder_next_at
        local_date = due_at.astimezone(zone).date()
        following = next_occurrence(parse_local_time(prefs.reminder_time), zone, max(due_at, now))
        if not await repo.claim_reminder(prefs, local_date, following, now):
            continue  # another process took it
        cards = await repo.due_count(prefs.member_id, now)
        if now - due_at > CATCHUP or cards == 0:
            result.skipped.append(prefs.member_id)
            continue
        try:
            await send(prefs.member_id, cards)
        except DmClosed:
            await repo.mark_dm_closed(prefs.member_id, now)
            result.closed.append(prefs.member_id)
        except Exception:
            log.exception("Review reminder to member %s failed", prefs.member_id)
            result.failed.append(prefs.member_id)
        else:
            result.sent.append(prefs.member_id)
    return result
