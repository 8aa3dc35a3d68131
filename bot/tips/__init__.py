"""Daily study tips: one a day per server at its local time, never twice, never lost.

Pure, Discord-free. The tips are the ``"tip"`` kind of the generic daily-post scheduler in
`bot.scheduling`; this package adds the rotation and manual posts.
"""

from bot.tips.rotation import NoTipsError, RotationState, next_tip
from bot.tips.service import KIND, DailyTips, ManualPost, TipContent, TipRotations

__all__ = [
    "KIND",
    "DailyTips",
    "ManualPost",
    "NoTipsError",
    "RotationState",
    "TipContent",
    "TipRotations",
    "next_tip",
]
