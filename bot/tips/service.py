"""Daily tips: the ``"tip"`` kind of daily post, on the generic `DailyScheduler`.

What is tip-specific lives here: the rotation (stored per server, advanced inside the claim's
transaction so a lost claim consumes nothing) and manual posts (``/tips now``), which advance
the same rotation but leave the day's scheduled post alone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.knowledge.models import Tip
from bot.scheduling import DailyScheduler, PostFailure
from bot.store import Database, dialect_insert
from bot.tips.rotation import NoTipsError, RotationState, next_tip
from bot.tips.tables import tip_rotations

log = logging.getLogger(__name__)

KIND = "tip"

Poster = Callable[[int, int, Tip, str | None], Awaitable[int | None]]
"""``await poster(guild_id, channel_id, tip, nonce) -> message_id``; raises `PostFailure`
(certainly not sent) or `PostUnconfirmed`."""

TipsProvider = Callable[[], Sequence[Tip]]


@dataclass(frozen=True, slots=True)
class ManualPost:
    tip: Tip
    message_id: int | None


class TipRotations:
    """Each server's place in its tip rotation."""

    async def get(self, conn: AsyncConnection, guild_id: int) -> RotationState | None:
        """The server's rotation, locked until the transaction ends (PostgreSQL)."""
        r = tip_rotations.c
        query = sa.select(r.cycle, r.tip_order, r.position).where(r.guild_id == guild_id)
        row = (await conn.execute(query.with_for_update())).first()
        if row is None:
            return None
        order = tuple(str(tip_id) for tip_id in row.tip_order)
        return RotationState(row.cycle, order, min(max(row.position, 0), len(order)))

    async def save(
        self, conn: AsyncConnection, guild_id: int, state: RotationState, now: datetime
    ) -> None:
        values: dict[str, Any] = {
            "cycle": state.cycle, "tip_order": list(state.order), "position": state.position,
            "updated_at": now,
        }  # fmt: skip
        insert = dialect_insert(conn, tip_rotations).values(guild_id=guild_id, **values)
        await conn.execute(
            insert.on_conflict_do_update(index_elements=[tip_rotations.c.guild_id], set_=values)
        )

    async def delete(self, conn: AsyncConnection, guild_id: int) -> None:
        await conn.execute(sa.delete(tip_rotations).where(tip_rotations.c.guild_id == guild_id))


class TipContent:
    """The `DailyContent` of daily tips."""

    def __init__(self, tips: TipsProvider, poster: Poster, clock: Callable[[], datetime]):
        self.tips = tips
        self.poster = poster
        self.clock = clock
        self.rotations = TipRotations()

    def ready(self) -> bool:
        return bool(self.tips())

    async def pick(self, conn: AsyncConnection, guild_id: int) -> str:
        state = await self.rotations.get(conn, guild_id)
        tip_id, state = next_tip(state, (tip.id for tip in self.tips()), guild_id)
        await self.rotations.save(conn, guild_id, state, self.clock())
        return tip_id

    async def post(self, guild_id: int, channel_id: int, item_id: str, nonce: str) -> int | None:
        tip = next((t for t in self.tips() if t.id == item_id), None)
        if tip is None:  # removed from the YAML between the claim and a retry
            raise PostFailure("unknown", f"tip {item_id} is no longer in the knowledge base")
        return await self.poster(guild_id, channel_id, tip, nonce)


class DailyTips:
    """The daily-tip scheduler of one bot process, and the manual post."""

    def __init__(
        self, db: Database, tips: TipsProvider, poster: Poster, **scheduler_options: Any
    ) -> None:
        self.db = db
        self.content = TipContent(tips, poster, lambda: self.scheduler.now())
        self.scheduler = DailyScheduler(db, KIND, self.content, **scheduler_options)

    async def post_now(self, guild_id: int) -> ManualPost:
        """Post the server's next tip now, outside the schedule (also while paused).
        Advances the rotation; the day's scheduled post still goes out."""
        row = await self.scheduler.require(guild_id)
        if not self.content.ready():
            raise NoTipsError("No tips are loaded right now.")
        async with self.db.begin(immediate=True) as conn:
            tip_id = await self.content.pick(conn, guild_id)
        tip = next(t for t in self.content.tips() if t.id == tip_id)
        message_id = await self.content.poster(guild_id, row.channel_id, tip, None)
        log.info("guild %s: posted tip %s on request", guild_id, tip.id)
        return ManualPost(tip, message_id)

    async def forget(self, guild_id: int) -> None:
        """Delete the server's settings, history and rotation (it removed the bot)."""
        await self.scheduler.forget(guild_id)
        async with self.db.begin() as conn:
            await self.content.rotations.delete(conn, guild_id)
