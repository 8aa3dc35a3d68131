"""The yardstick of benchmarks/bench_discord.py: the most trivial discord.py bot.

A stock `commands.Bot` (discord.py's defaults: unbounded HTTP pool, Python's default GC
thresholds, no freeze) whose `/ask question` replies "pong". It does no work of its own, so what
it costs is discord.py's price of one answered interaction; medcode-bot's goal is to answer for
no more than that.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

PONG = "pong"


def make_reference_bot(**options: Any) -> commands.Bot:
    intents = discord.Intents.none()  # the same (non-privileged) intents as medcode-bot
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=intents, **options)

    @bot.tree.command(name="ask")
    async def ask(
        interaction: discord.Interaction, question: app_commands.Range[str, 1, 4000]
    ) -> None:
        """Ask anything (answered with "pong")."""
        await interaction.response.send_message(PONG)

    return bot
