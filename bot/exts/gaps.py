"""Writes the gap log: the questions the ask cog noted as unanswered, in batches, off the
answer path. `/kb gaps` (in admin.py) and `medcode-bot gaps` read it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from bot.store import StoreUnavailable

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

log = logging.getLogger(__name__)

FLUSH_SECONDS = 15.0


class GapLogWriter(commands.Cog):
    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        if self.bot.gaps.enabled:
            self.flush.start()

    async def cog_unload(self) -> None:
        self.flush.cancel()
        await self._flush()  # what was noted since the last tick

    @tasks.loop(seconds=FLUSH_SECONDS)
    async def flush(self) -> None:
        await self._flush()

    async def _flush(self) -> None:
        try:
            await self.bot.gaps.flush()
        except StoreUnavailable as exc:  # kept in memory (bounded) for the next tick
            log.warning("gap log not written: %s", exc.detail)
        except Exception:
            log.exception("gap log flush failed")


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(GapLogWriter(bot))
