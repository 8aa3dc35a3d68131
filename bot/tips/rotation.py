"""Which tip a server gets next: a shuffled cycle over every tip, no repeat until it ends.

Pure and deterministic: the order of a cycle is seeded by (server id, cycle number), so the
same inputs always give the same tips (reproducible bugs, reproducible tests). Changes to
``knowledge/tips.yaml`` are reconciled on every pick:

* a new tip joins the *current* cycle at a (seeded) random position among the tips not yet
  seen in it, so it shows up before the cycle ends without jumping the queue every time;
* a removed tip is dropped from the unseen part and is simply never picked;
* a tip removed and later re-added is treated as new unless it was already seen this cycle.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

_SEED_PREFIX = "medcode-tips"


class NoTipsError(LookupError):
    """There are no tips to pick from (the tips file is empty or failed to load)."""


@dataclass(frozen=True, slots=True)
class RotationState:
    """Where a server is in its rotation: ``order[:position]`` were shown this cycle,
    ``order[position:]`` are still to come. ``cycle`` starts at 1."""

    cycle: int
    order: tuple[str, ...]
    position: int

    @property
    def seen(self) -> tuple[str, ...]:
        return self.order[: self.position]

    @property
    def remaining(self) -> tuple[str, ...]:
        return self.order[self.position :]


def new_cycle(
    guild_id: int, cycle: int, tip_ids: Iterable[str], *, avoid_first: str | None = None
) -> RotationState:
    """A fresh shuffled cycle of every tip id, seeded by server and cycle number.

    `avoid_first` (the last tip of the previous cycle) is moved off the first slot so a cycle
    boundary never shows the same tip twice in a row.
    """
    order = sorted(set(tip_ids))
    random.Random(f"{_SEED_PREFIX}:{guild_id}:{cycle}").shuffle(order)
    if avoid_first is not None and len(order) > 1 and order[0] == avoid_first:
        order[0], order[1] = order[1], order[0]
    return RotationState(cycle=cycle, order=tuple(order), position=0)


def reconcile(state: RotationState, tip_ids: Iterable[str], guild_id: int) -> RotationState:
    """Bring `state` up to date with the current tips (see the module docs)."""
    current = set(tip_ids)
    known = set(state.order)
    if known == current:  # the usual case: nothing added or removed
        return state
    remaining = [tip_id for tip_id in state.remaining if tip_id in current]
    for tip_id in sorted(current - known):
        rng = random.Random(f"{_SEED_PREFIX}:{guild_id}:{state.cycle}:{tip_id}")
        remaining.insert(rng.randint(0, len(remaining)), tip_id)
    return RotationState(state.cycle, state.seen + tuple(remaining), state.position)


def next_tip(
    state: RotationState | None, tip_ids: Iterable[str], guild_id: int
) -> tuple[str, RotationState]:
    """Pick the server's next tip; returns ``(tip_id, new_state)``. Never mutates `state`.

    Raises `NoTipsError` if `tip_ids` is empty.
    """
    current = set(tip_ids)
    if not current:
        raise NoTipsError("there are no tips to choose from")
    if state is None:
        state = new_cycle(guild_id, 1, current)
    else:
        state = reconcile(state, current, guild_id)
        if not state.remaining:
            last = state.order[-1] if state.order else None
            state = new_cycle(guild_id, state.cycle + 1, current, avoid_first=last)
    tip_id = state.order[state.position]
    return tip_id, RotationState(state.cycle, state.order, state.position + 1)
