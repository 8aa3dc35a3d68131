"""/ask and @mentions: any question, answered by the same engine as the CLI."""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import APOLOGY, cooldown_message
from bot.engine import Answer
from bot.engine.conversation import Conversations
from bot.exts._answers import AnswerCache, Reply
from bot.exts._cooldown import MemberCooldown
from bot.exts._embeds import answer_embed, clip, send_with_view
from bot.exts.habits.career_charts import chart_view
from bot.exts.practice.cog import practise_view

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

log = logging.getLogger(__name__)
CHARTED = {"highest", "lowest", "compare"}  # answers whose pay figures get a chart button

SUGGEST_ID = re.compile(r"medcode:suggest:(?P<entry>[a-z0-9-]{1,64})")


class SuggestButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=SUGGEST_ID.pattern
):
    """A "did you mean" button; pressing it posts that answer to the channel.

    Dynamic (its state is in the custom_id), so buttons keep working after a restart.
    """

    def __init__(self, entry_id: str, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=(label or entry_id)[:80],
                style=discord.ButtonStyle.secondary,
                custom_id=f"medcode:suggest:{entry_id}",
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> SuggestButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["entry"], label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: MedcodeBot = interaction.client  # type: ignore[assignment]
        try:
            await self._answer(bot, interaction)
        except Exception as exc:  # discord.py would only log it: use the one error handler
            await bot.tree.on_error(interaction, exc)  # type: ignore[arg-type]

    async def _answer(self, bot: MedcodeBot, interaction: discord.Interaction) -> None:
        if self.entry_id not in bot.engine.kb.entries:
            await interaction.response.send_message(
                "That suggestion is no longer in the knowledge base.", ephemeral=True
            )
            return
        answer = bot.engine.entry_answer(self.entry_id)
        await interaction.response.send_message(embed=answer_embed(answer))


def suggestion_view(answer: Answer) -> discord.ui.View | None:
    if not answer.suggestion_ids:
        return None
    view = discord.ui.View(timeout=None)
    for entry_id, label in zip(answer.suggestion_ids, answer.suggestions, strict=False):
        view.add_item(SuggestButton(entry_id, label))
    # Presses reach SuggestButton through its template (bot.add_dynamic_items), never through
    # this object: stopped, discord.py does not keep it, nor arm the 15-minute timer task it
    # gives every ephemeral message's view.
    view.stop()
    return view


def _can_embed(message: discord.Message) -> bool:
    """Whether the bot may post embeds where `message` was sent (always in DMs)."""
    if message.guild is None:
        return True
    return message.channel.permissions_for(message.guild.me).embed_links


def _user_key(obj: discord.Interaction | discord.Message) -> int:
    return obj.user.id if isinstance(obj, discord.Interaction) else obj.author.id


def _conversation_key(obj: discord.Interaction | discord.Message) -> tuple[int, int]:
    """One conversation per member per channel (a thread is a channel of its own)."""
    return _user_key(obj), obj.channel.id if obj.channel is not None else 0


class Ask(commands.Cog):
    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot
        settings = bot.settings
        # One bucket per member, shared by /ask and mentions.
        self.cooldown = MemberCooldown(settings.ask_rate, settings.ask_per_seconds)
        self.answers = AnswerCache()  # the same question twice: the same answer, made once
        # What each member last asked in each channel, for follow-ups ("and in Maryland?").
        self.conversations = Conversations()

    def _reply(self, obj: discord.Interaction | discord.Message, question: str) -> Reply:
        """The answer and its embed, read with this member's conversation in this channel."""
        key, now = _conversation_key(obj), time.monotonic()
        context = self.conversations.get(key, now)
        reply, kept = self.answers.read(self.bot.engine, question, context, now)
        self.conversations.put(key, kept)
        self.bot.gaps.note(reply.answer)  # never waits: a task writes the batch
        return reply

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(SuggestButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(SuggestButton)

    def _retry_after(self, obj: discord.Interaction | discord.Message) -> float | None:
        return self.cooldown.retry_after(_user_key(obj))

    @app_commands.command(name="ask")
    @app_commands.describe(question="Your question, e.g. what does CRC pay? or CPC vs CCS")
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 4000]
    ) -> None:
        """Ask anything about medical coding pay, credentials, states, specialties or careers."""
        retry = self._retry_after(interaction)
        if retry:
            raise app_commands.CommandOnCooldown(self.cooldown.cooldown, retry)
        reply = self._reply(interaction, question)
        if reply.answer.answered:
            answer = reply.answer
            view = practise_view(self.bot, answer.topic)  # a study tip: "Practise this"
            # A ranking or a comparison read on its own gets a "Chart" button (a follow-up's
            # chart would be drawn from the words alone, without the conversation before it).
            if CHARTED & set(answer.intents) and not answer.rule.startswith("follow-up"):
                view = view or chart_view(self.bot, answer, "ask", question.strip())
            await send_with_view(interaction, reply.embed, view)
            return
        await send_with_view(
            interaction, reply.embed, suggestion_view(reply.answer), ephemeral=True
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.bot.user is None:
            return
        in_dm = message.guild is None
        if not in_dm and self.bot.user not in message.mentions:
            return
        question = re.sub(rf"<@!?{self.bot.user.id}>", " ", message.content).strip()
        if not question:
            question = ""
        retry = self._retry_after(message)
        if retry:
            if self.cooldown.first_refusal(message.author.id):
                await self._send(message, content=cooldown_message(retry))
            return
        try:
            answer, embed, _ = self._reply(message, question)
            # Under a study answer, "Practise this" (as under /ask); else "did you mean".
            view = practise_view(self.bot, answer.topic) if answer.answered else None
            view = view or (None if answer.answered else suggestion_view(answer))
            reply: dict[str, Any]
            if _can_embed(message):
                reply = {"embed": embed}
            else:  # Discord would drop the embed and post an empty reply
                reply = {"content": clip(f"**{answer.title}**\n{answer.text}", 2000)}
        except Exception:  # not an app command: the tree's handler never sees it
            log.exception("Unexpected error answering a mention in channel %s", message.channel.id)
            await self._send(message, content=APOLOGY)
            return
        await self._send(message, view=view, **reply)

    async def _send(self, message: discord.Message, **kwargs: Any) -> None:
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        try:
            await message.reply(mention_author=False, **kwargs)
        except discord.Forbidden:
            log.info("No permission to answer in channel %s", message.channel.id)
        except discord.HTTPException as exc:
            log.warning("Could not answer a mention in channel %s: %s", message.channel.id, exc)


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(Ask(bot))
