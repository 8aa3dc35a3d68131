"""Rotation: a seeded shuffle of all tips per guild, no repeats within a cycle."""

from __future__ import annotations

import pytest

from bot.tips.rotation import NoTipsError, RotationState, new_cycle, next_tip

IDS = [f"tip-{i:02d}" for i in range(12)]


def walk(state: RotationState | None, ids: list[str], guild: int, count: int):
    picked = []
    for _ in range(count):
        tip_id, state = next_tip(state, ids, guild)
        picked.append(tip_id)
    return picked, state


def test_a_full_cycle_shows_every_tip_once() -> None:
    picked, state = walk(None, IDS, guild=1, count=len(IDS))
    assert sorted(picked) == sorted(IDS)
    assert state is not None and state.cycle == 1 and not state.remaining
    assert picked != sorted(IDS)  # shuffled


def test_order_is_reproducible_per_guild_and_cycle() -> None:
    first, _ = walk(None, IDS, guild=42, count=len(IDS))
    again, _ = walk(None, IDS, guild=42, count=len(IDS))
    other, _ = walk(None, IDS, guild=43, count=len(IDS))
    assert first == again
    assert first != other
    # Input order of the ids does not matter.
    shuffled, _ = walk(None, list(reversed(IDS)), guild=42, count=len(IDS))
    assert shuffled == first


def test_next_cycle_is_a_new_shuffle_without_a_repeat_at_the_boundary() -> None:
    for guild in range(1, 60):
        first, state = walk(None, IDS, guild, len(IDS))
        second, state = walk(state, IDS, guild, len(IDS))
        assert state.cycle == 2
        assert sorted(second) == sorted(IDS)
        assert second[0] != first[-1]


def test_an_added_tip_joins_the_current_cycle() -> None:
    for guild in range(1, 40):
        picked, state = walk(None, IDS, guild, 4)
        grown = [*IDS, "tip-new"]
        rest, state = walk(state, grown, guild, len(grown) - 4)
        assert state.cycle == 1, "the added tip must come before the cycle ends"
        assert "tip-new" in rest
        assert sorted(picked + rest) == sorted(grown)


def test_added_tips_land_at_varied_positions() -> None:
    positions = set()
    for guild in range(1, 40):
        _, state = walk(None, IDS, guild, 2)
        picked, _ = walk(state, [*IDS, "tip-new"], guild, len(IDS) - 1)
        positions.add(picked.index("tip-new"))
    assert len(positions) > 3


def test_a_removed_tip_is_skipped() -> None:
    picked, state = walk(None, IDS, guild=7, count=3)
    remaining = list(state.remaining)
    gone = remaining[0]
    shrunk = [tip for tip in IDS if tip != gone]
    rest, state = walk(state, shrunk, guild=7, count=len(shrunk) - 3)
    assert gone not in rest
    assert sorted(picked + rest) == sorted(shrunk)
    assert state.cycle == 1 and not state.remaining


def test_removing_a_tip_already_seen_changes_nothing_else() -> None:
    picked, state = walk(None, IDS, guild=9, count=3)
    shrunk = [tip for tip in IDS if tip != picked[0]]
    rest, _ = walk(state, shrunk, guild=9, count=len(IDS) - 3)
    assert picked + rest == walk(None, IDS, guild=9, count=len(IDS))[0]


def test_next_tip_does_not_mutate_and_needs_tips() -> None:
    state = new_cycle(1, 1, IDS)
    before = state
    next_tip(state, IDS, 1)
    assert state == before
    with pytest.raises(NoTipsError):
        next_tip(state, [], 1)
