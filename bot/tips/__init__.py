"""Daily study tips: one a day per server, at its local time, never twice, never lost.

Pure, Discord-free core. The cog builds a `SqliteTipStore` and a `TipScheduler`, calls
`TipScheduler.tick` from a loop, and calls the admin helpers from its commands.
"""

from bot.tips.rotation import NoTipsError, RotationState, next_tip
from bot.tips.schedule import (
    COMMON_ZONES,
    Due,
    InvalidPostTimeError,
    Schedule,
    TipConfigError,
    UnknownTimeZoneError,
    format_post_time,
    next_due,
    normalize_timezone,
    parse_post_time,
    suggest_timezones,
)
from bot.tips.service import (
    ManualPost,
    Outcome,
    PostFailure,
    TickReport,
    TipScheduler,
    TipsNotConfiguredError,
    TipStatus,
)
from bot.tips.store import GuildConfig, PostRecord, SqliteTipStore, TipStore

__all__ = [
    "COMMON_ZONES",
    "Due",
    "GuildConfig",
    "InvalidPostTimeError",
    "ManualPost",
    "NoTipsError",
    "Outcome",
    "PostFailure",
    "PostRecord",
    "RotationState",
    "Schedule",
    "SqliteTipStore",
    "TickReport",
    "TipConfigError",
    "TipScheduler",
    "TipStatus",
    "TipStore",
    "TipsNotConfiguredError",
    "UnknownTimeZoneError",
    "format_post_time",
    "next_due",
    "next_tip",
    "normalize_timezone",
    "parse_post_time",
    "suggest_timezones",
]
