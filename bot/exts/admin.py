"""Owner-only maintenance: reload the knowledge base without a restart."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.exts._embeds import clip
from bot.knowledge import KnowledgeError

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

log = logging.getLogger(__name__)


async def owner_only(interaction: discord.Interaction) -> bool:
    if not await interaction.client.is_owner(interaction.user):  # type: ignore[attr-defined]
        raise app_commands.CheckFailure("Only the bot's owner can do that.")
    return True


@app_commands.default_permissions(administrator=True)
class KnowledgeAdmin(commands.GroupCog, group_name="kb"):
    """Knowledge-base maintenance (bot owner only)."""

    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="reload")
    @app_commands.check(owner_only)
    async def reload(self, interaction: discord.Interaction) -> None:
        """Validate knowledge/ again and swap it in; on any error the old one stays."""
        try:
            engine = self.bot.reload_knowledge()
        except KnowledgeError as exc:
            shown: list[str] = []
            for problem in exc.problems[:15]:  # as many whole lines as fit, then a count
                line = clip(f"• {problem}", 300)
                if sum(len(x) + 1 for x in shown) + len(line) > 3300:
                    break
                shown.append(line)
            lines = "\n".join(shown)
            rest = len(exc.problems) - len(shown)
            more = f"\n…and {rest} more" if rest else ""
            raise UserError(
                clip(
                    f"Reload failed: {len(exc.problems)} problem(s). The previous knowledge base "
                    f"is still in use.\n{lines}{more}",
                    4000,
                )
            ) from exc
        embed = discord.Embed(
            title="Knowledge base reloaded",
            description=f"{engine.kb.summary()}; {self.bot.bank.summary()}",
            colour=discord.Colour.green(),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="status")
    @app_commands.check(owner_only)
    async def status(self, interaction: discord.Interaction) -> None:
        """What the knowledge base holds right now."""
        kb = self.bot.engine.kb
        embed = discord.Embed(
            title="Knowledge base", description=kb.summary(), colour=discord.Colour.teal()
        )
        embed.add_field(name="Directory", value=clip(str(self.bot.settings.knowledge_dir), 1024))
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(KnowledgeAdmin(bot))
