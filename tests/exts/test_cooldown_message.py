"""The cooldown note /ask and mentions share: whole seconds, rounded up, never 0."""

from __future__ import annotations

import pytest

from bot.bot import cooldown_message


@pytest.mark.parametrize(
    ("retry_after", "shown"), [(0.0, 1), (0.3, 1), (1.0, 1), (1.2, 2), (29.6, 30), (59.99, 60)]
)
def test_cooldown_message_rounds_up(retry_after: float, shown: int) -> None:
    assert cooldown_message(retry_after) == f"Slow down a little: try again in {shown} s."
