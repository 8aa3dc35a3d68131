"""Daily posts per server at its local time, for any kind of post (tips, question of the
day...): pure time rules (`times`), the SQL (`store`), the scheduler (`scheduler`). No Discord.
"""

from bot.scheduling.scheduler import (
    DailyContent,
    DailyScheduler,
    DailyStatus,
    NotConfiguredError,
    Outcome,
    PostFailure,
    PostUnconfirmed,
    TickReport,
    classify_http,
    nonce_for,
)
from bot.scheduling.store import DailyPostStore, ShardFilter
from bot.scheduling.times import (
    COMMON_ZONES,
    Due,
    InvalidPostTimeError,
    Schedule,
    ScheduleError,
    UnknownTimeZoneError,
    format_post_time,
    next_due,
    normalize_timezone,
    parse_post_time,
    suggest_timezones,
)

__all__ = [
    "COMMON_ZONES",
    "DailyContent",
    "DailyPostStore",
    "DailyScheduler",
    "DailyStatus",
    "Due",
    "InvalidPostTimeError",
    "NotConfiguredError",
    "Outcome",
    "PostFailure",
    "PostUnconfirmed",
    "Schedule",
    "ScheduleError",
    "ShardFilter",
    "TickReport",
    "UnknownTimeZoneError",
    "classify_http",
    "format_post_time",
    "next_due",
    "nonce_for",
    "normalize_timezone",
    "parse_post_time",
    "suggest_timezones",
]
