"""A "Chart" button under career answers with pay figures (/career's ladder, /compare, and
/ask answers such as the state ranking): the same figures as a picture, drawn off the loop.

The button's custom_id says how to get the answer again, so it works after a restart and
the chart is built from the answer's entries (their figures), never from the text shown.
"""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.engine import Answer
from bot.errors import UserError
from bot.exts.habits import _views as views
from bot.habits.charts import pay_rows, range_chart

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

CUSTOM_ID_ROOM = 100


def chart_view(bot: MedcodeBot, answer: Answer, kind: str, key: str) -> discord.ui.View | None:
    """A view with the Chart button, if the answer has at least two pay figures to draw and
    its key fits in a custom_id."""
    custom_id = f"medcode:chart:{kind}:{key}"
    if len(custom_id) > CUSTOM_ID_ROOM or len(pay_rows(bot.engine.kb, answer.entries)) < 2:
        return None
    button = views.ChartButton(custom_id, "Chart", discord.ButtonStyle.secondary, emoji="📊")
    return views.view(button)


class CareerCharts(commands.Cog):
    """Pay figures of career answers as charts."""

    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(views.ChartButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(views.ChartButton)

    def answer_for(self, kind: str, key: str) -> Answer:
        engine = self.bot.engine
        if kind == "list":
            return engine.list_kind(key)
        if kind == "compare":
            ids = key.split(",")
            if not all(i in engine.kb.entries for i in ids):
                raise UserError("Those entries are no longer in the knowledge base.")
            return engine.compare(ids)
        return engine.answer(key)

    async def on_press(self, interaction: discord.Interaction, params: dict[str, str]) -> None:
        answer = self.answer_for(params["kind"], params["key"])
        rows = pay_rows(self.bot.engine.kb, answer.entries)
        if len(rows) < 2:
            raise UserError("That answer has no pay figures to chart any more.")
        png = await asyncio.to_thread(range_chart, f"{answer.title}: pay", rows)
        embed = discord.Embed(title=f"{answer.title}: pay"[:256], colour=discord.Colour.teal())
        embed.set_image(url="attachment://pay.png")
        embed.set_footer(text="; ".join(answer.sources)[:2048] or "Source: the salary guide")
        await interaction.response.send_message(
            embed=embed,
            file=discord.File(io.BytesIO(png), filename="pay.png"),
            ephemeral=True,
            allowed_mentions=views.NO_PINGS,
        )


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(CareerCharts(bot))
