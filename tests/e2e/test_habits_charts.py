"""The "Chart" button under career answers with pay figures: /career, /compare, /ask."""

from __future__ import annotations

from typing import Any

from .fake_discord import FakeDiscord
from .medcode_support import custom_ids, embed, is_ephemeral


async def press_chart(fake: FakeDiscord, body: dict[str, Any]) -> dict[str, Any]:
    [chart] = custom_ids(body)
    assert chart.startswith("medcode:chart:")
    message = int(fake.original_message()["id"])
    reply = await fake.click_button(chart, message=message)
    assert reply["type"] == 4 and is_ephemeral(reply)
    assert embed(reply)["image"]["url"] == "attachment://pay.png"
    request = next(r for r in reversed(fake.requests) if r.path.endswith("/callback"))
    [png] = request.files
    assert png["filename"] == "pay.png" and 1_000 < png["size"] < 10 * 1024 * 1024
    return reply


async def test_the_ladder_the_ranking_and_a_comparison_have_charts(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    body = await fake_discord.send_slash_command("career")
    reply = await press_chart(fake_discord, body)
    assert embed(reply)["title"] == "Career levels: pay"

    body = await fake_discord.send_slash_command("ask", {"question": "highest paying states"})
    reply = await press_chart(fake_discord, body)
    assert embed(reply)["title"] == "Highest-paying states: pay"

    body = await fake_discord.send_slash_command(
        "compare", {"first": "California", "second": "New Jersey"}
    )
    reply = await press_chart(fake_discord, body)
    assert embed(reply)["title"] == "California vs New Jersey: pay"


async def test_no_chart_without_two_figures(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command(
        "compare", {"first": "California", "second": "Texas"}
    )
    assert custom_ids(body) == []  # the guide has one of the two figures
    body = await fake_discord.send_slash_command("ask", {"question": "what is the CPC exam like"})
    assert not [c for c in custom_ids(body) if c.startswith("medcode:chart:")]
