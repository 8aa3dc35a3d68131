"""Buttons that keep working after a restart, and the views that carry them.

A button's custom_id says what it acts on; a DynamicItem subclass of `CogButton` (with its
own `template`) parses it into `params` and hands the press to its cog's `on_press`. Errors go
to the tree's one handler, as a command's would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Self

import discord


class CogButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"medcode:never"):
    """Base: `cog` names the cog whose `on_press(interaction, params)` takes the press."""

    cog = ""

    def __init__(self, custom_id: str, label: str, style: discord.ButtonStyle, **kw: Any) -> None:
        super().__init__(
            discord.ui.Button(label=label[:80], style=style, custom_id=custom_id, **kw)
        )
        self.params: dict[str, str] = {}

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Self:
        assert isinstance(item, discord.ui.Button)  # the templates match buttons only
        button = cls(item.custom_id or "", item.label or "", item.style)
        button.params = match.groupdict()
        return button

    async def press(self, cog: Any, interaction: discord.Interaction) -> None:
        await cog.on_press(interaction, self.params)

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog(self.cog)  # type: ignore[attr-defined]
        try:
            if cog is None:
                raise RuntimeError(f"the {self.cog} cog is not loaded")
            await self.press(cog, interaction)
        except Exception as exc:  # discord.py would only log it: use the one error handler
            await interaction.client.tree.on_error(interaction, exc)  # type: ignore[attr-defined]


def sending_view(*rows: Sequence[discord.ui.Item[Any]]) -> discord.ui.View:
    """A view for sending only, one row per sequence: presses reach the DynamicItems through
    their templates, so discord.py need not keep it (stopped, it arms no timeout task)."""
    view = discord.ui.View(timeout=None)
    for row, items in enumerate(rows):
        for item in items:
            item.row = row
            view.add_item(item)
    view.stop()
    return view
