"""Direct look-ups with autocomplete: /salary /state /specialty /cert /career /outlook /remote
/compare /help. Each is a thin adapter over the engine."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import KnowledgeMissing, NotFound, UserError
from bot.exts._embeds import answer_embed, clip, send_with_view
from bot.exts.habits.career_charts import chart_view
from bot.knowledge.models import Entry

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

Complete = Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]


def choice_name(entry: Entry) -> str:
    code = getattr(entry, "code", None)
    full = getattr(entry, "full_name", None)
    name = f"{entry.name} ({code})" if code else entry.name
    if full and full != entry.name:
        name = f"{entry.name}: {full}"
    return clip(name, 100)


def completer(*kinds: str) -> Complete:
    """Autocomplete from memory over the given kinds (all kinds when none are given)."""

    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        bot: MedcodeBot = interaction.client  # type: ignore[assignment]
        entries = bot.engine.complete(current, kinds, limit=25)
        return [app_commands.Choice(name=choice_name(e), value=e.id) for e in entries]

    return complete


def resolve(bot: MedcodeBot, value: str, kinds: Sequence[str], what: str) -> Entry:
    entry = bot.engine.find(value, kinds)
    if entry is None:
        raise NotFound(
            f"I don't know a {what} called **{discord.utils.escape_markdown(clip(value, 80))}**. "
            "Pick one from the list as you type."
        )
    return entry


SALARY_CERT = ("cert_status", "credential")
SALARY_EXPERIENCE = ("experience_band", "career_level")
CAREER = ("career_level", "alt_career")
# /outlook's choices: the knowledge base's entries holding these roles.
OUTLOOK_ROLES = {"growth": "outlook", "ai": "ai"}


MISSING = "That part of the knowledge base is missing right now."


class Lookup(commands.Cog):
    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot

    async def _show(self, interaction: discord.Interaction, entry_id: str, *intents: str) -> None:
        if entry_id not in self.bot.engine.kb.entries:
            raise KnowledgeMissing(MISSING)
        answer = self.bot.engine.entry_answer(entry_id, intents)
        await interaction.response.send_message(embed=answer_embed(answer))

    async def _show_role(self, interaction: discord.Interaction, role: str, *intents: str) -> None:
        answer = self.bot.engine.role_answer(role, intents)
        if answer is None:
            raise KnowledgeMissing(MISSING)
        await interaction.response.send_message(embed=answer_embed(answer))

    @app_commands.command(name="salary")
    @app_commands.describe(
        certification="A certification status or credential, e.g. CPC + CCS",
        experience="An experience level or career level, e.g. Mid-Career",
    )
    @app_commands.autocomplete(
        certification=completer(*SALARY_CERT), experience=completer(*SALARY_EXPERIENCE)
    )
    async def salary(
        self,
        interaction: discord.Interaction,
        certification: str | None = None,
        experience: str | None = None,
    ) -> None:
        """Coder pay: the national overview, or by certification or experience level."""
        picked = []
        if certification:
            picked.append(resolve(self.bot, certification, SALARY_CERT, "certification"))
        if experience:
            picked.append(resolve(self.bot, experience, SALARY_EXPERIENCE, "experience level"))
        if not picked:
            await self._show_role(interaction, "national", "pay")
            return
        if len(picked) == 1:
            await self._show(interaction, picked[0].id, "pay")
            return
        answer = self.bot.engine.compare([e.id for e in picked])
        await interaction.response.send_message(embed=answer_embed(answer))

    @app_commands.command(name="state")
    @app_commands.describe(name="A US state or DC (or a city), e.g. California, TX, Houston")
    @app_commands.autocomplete(name=completer("state", "place"))
    async def state(self, interaction: discord.Interaction, name: str) -> None:
        """Coder pay in a state, or what the guide offers when it has no figure."""
        place = resolve(self.bot, name, ("state", "place"), "state")
        await self._show(interaction, place.id, "pay")

    @app_commands.command(name="specialty")
    @app_commands.describe(name="A coding specialty, e.g. Risk Adjustment/HCC or ER")
    @app_commands.autocomplete(name=completer("specialty"))
    async def specialty(self, interaction: discord.Interaction, name: str) -> None:
        """Pay, certification and demand for a coding specialty."""
        await self._show(interaction, resolve(self.bot, name, ("specialty",), "specialty").id)

    @app_commands.command(name="cert")
    @app_commands.describe(name="A credential, e.g. CPC, CCS or CRC")
    @app_commands.autocomplete(name=completer("credential"))
    async def cert(self, interaction: discord.Interaction, name: str) -> None:
        """What a credential is, who issues it, and the pay and roles it leads to."""
        await self._show(interaction, resolve(self.bot, name, ("credential",), "credential").id)

    @app_commands.command(name="career")
    @app_commands.describe(level="A career level or alternative career; leave empty for the ladder")
    @app_commands.autocomplete(level=completer(*CAREER))
    async def career(self, interaction: discord.Interaction, level: str | None = None) -> None:
        """The coding career ladder, or one step of it."""
        if not level:
            answer = self.bot.engine.list_kind("career_level")
            chart = chart_view(self.bot, answer, "list", "career_level")
            await send_with_view(interaction, answer_embed(answer), chart)
            return
        await self._show(interaction, resolve(self.bot, level, CAREER, "career level").id)

    @app_commands.command(name="outlook")
    @app_commands.describe(about="Job growth, or whether AI will replace coders")
    @app_commands.choices(
        about=[
            app_commands.Choice(name="Job growth 2024–2034", value="growth"),
            app_commands.Choice(name="Will AI replace coders?", value="ai"),
        ]
    )
    async def outlook(self, interaction: discord.Interaction, about: str = "growth") -> None:
        """The job outlook for medical coders, or what AI means for the role."""
        await self._show_role(interaction, OUTLOOK_ROLES.get(about, "outlook"))

    @app_commands.command(name="remote")
    async def remote(self, interaction: discord.Interaction) -> None:
        """Remote work in medical coding: how common it is and what it pays."""
        await self._show_role(interaction, "remote")

    @app_commands.command(name="compare")
    @app_commands.describe(
        first="Anything: a credential, state, specialty, level…", second="And another"
    )
    @app_commands.autocomplete(first=completer(), second=completer())
    async def compare(self, interaction: discord.Interaction, first: str, second: str) -> None:
        """Put two things side by side: CPC vs CCS, California vs Alabama…"""
        a = resolve(self.bot, first, (), "topic")
        b = resolve(self.bot, second, (), "topic")
        if a.id == b.id:
            raise UserError("Pick two different things to compare.")
        answer = self.bot.engine.compare([a.id, b.id])
        chart = chart_view(self.bot, answer, "compare", f"{a.id},{b.id}")
        await send_with_view(interaction, answer_embed(answer), chart)

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """What this bot does, with example questions."""
        year = self.bot.engine.guide_year()
        embed = discord.Embed(
            title="medcode-bot: medical coding careers, answered",
            description=(
                "I answer questions about medical coding pay, credentials, states, specialties "
                f"and careers from a {year} salary and career guide, and can post a daily study "
                "tip. Every figure I give comes from that guide, with its source.\n\n"
                "**Ask in plain words** with `/ask` or by mentioning me:\n"
                "• what does CRC pay?\n• coder salary in California\n"
                "• what comes after senior coder?\n• CPC vs CCS\n• will AI replace coders?\n"
                "In a DM, just type your question."
            ),
            colour=discord.Colour.teal(),
        )
        embed.add_field(
            name="Look-ups",
            value="`/salary` `/state` `/specialty` `/cert` `/career` `/outlook` `/remote` "
            "`/compare`",
            inline=False,
        )
        embed.add_field(
            name="Study tips",
            value="`/tip` shows one now. Admins (Manage Server) set up a daily tip with `/tips`.",
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(Lookup(bot))
