"""Which tip a guild gets next: a shuffled cycle over every tip, no repeat until it ends.

Pure and deterministic: the order of a cycle is seeded by (guild id, cycle number), so the same
inputs always give the same tips (reproducible bugs, reproducible tests). The state is small and
JSON-serialisable, so the store keeps it as one row per guild.

Changes to ``knowledge/tips.yaml`` are reconciled on every pick:

* a new tip joins the *current* cycle at a (seeded) random position among the tips not yet seen
  in it, so it shows up before the cycle ends without jumping the queue every time;
* a removed tip is dropped from the unseen part and is simply never picked;
* a tip removed and later re-added is treated as new unless it was already seen this cycle.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

_SEED_PREFIX = "medcode-tips"


class NoTipsError(LookupError):
    """There are no tips to pick from (the tips file is empty or failed to load)."""


@dataclass(frozen=True, slots=True)
class RotationState:
    """Where a guild is in its rotation.

    ``order`` is the current cycle; ``order[:position]`` have been shown this cycle (the seen
    set) and ``order[position:]`` are still to come. ``cycle`` starts at 1.
    """

    cycle: int
    order: tuple[str, ...]
    position: int

    @property
    def seen(self) -> tuple[str, ...]:
        return self.order[: self.position]

    @property
    def remaining(self) -> tuple[str, ...]:
        return self.order[self.position :]

    def to_json(self) -> str:
        return json.dumps({"cycle": self.cycle, "order": list(self.order), "pos": self.position})

    @classmethod
    def from_json(cls, text: str) -> RotationState:
        data = json.loads(text)
        order = tuple(str(tip_id) for tip_id in data["order"])
        position = min(max(int(data["pos"]), 0), len(order))
        return cls(cycle=max(int(data["cycle"]), 1), order=order, position=position)


@dataclass(frozen=True, slots=True)
class TipIds:
    """A set of tip ids prepared once (sorted, and as a set) for many picks, e.g. one tick's.

    Every function here that takes ``tip_ids`` accepts one; it only saves the work of sorting
    and hashing the ids again for each guild.
    """

    ordered: tuple[str, ...]
    members: frozenset[str] = field(repr=False)

    @classmethod
    def of(cls, tip_ids: Iterable[str]) -> TipIds:
        if isinstance(tip_ids, TipIds):
            return tip_ids
        members = frozenset(tip_ids)
        return cls(tuple(sorted(members)), members)


def _shuffle(rng: random.Random, items: list[str]) -> None:
    """Exactly `random.Random.shuffle` (CPython 3.11+), inlined: twice as fast, same order.

    A test compares it with ``rng.shuffle`` so a Python that changes the algorithm is noticed.
    """
    getrandbits = rng.getrandbits
    for i in range(len(items) - 1, 0, -1):
        n = i + 1
        k = n.bit_length()
        j = getrandbits(k)
        while j >= n:
            j = getrandbits(k)
        items[i], items[j] = items[j], items[i]


def new_cycle(
    guild_id: int, cycle: int, tip_ids: Iterable[str], *, avoid_first: str | None = None
) -> RotationState:
    """A fresh shuffled cycle of every tip id, seeded by guild and cycle number.

    `avoid_first` (the last tip of the previous cycle) is moved off the first slot so a cycle
    boundary never shows the same tip twice in a row.
    """
    order = list(TipIds.of(tip_ids).ordered)
    _shuffle(random.Random(f"{_SEED_PREFIX}:{guild_id}:{cycle}"), order)
    if avoid_first is not None and len(order) > 1 and order[0] == avoid_first:
        order[0], order[1] = order[1], order[0]
    return RotationState(cycle=cycle, order=tuple(order), position=0)


def reconcile(state: RotationState, tip_ids: Iterable[str], guild_id: int) -> RotationState:
    """Bring `state` up to date with the current tips (see the module docs)."""
    current = TipIds.of(tip_ids).members
    known = set(state.order)
    if known == current:  # the usual case: nothing added or removed
        return state
    remaining = [tip_id for tip_id in state.remaining if tip_id in current]
    for tip_id in sorted(current - known):
        rng = random.Random(f"{_SEED_PREFIX}:{guild_id}:{state.cycle}:{tip_id}")
        remaining.insert(rng.randint(0, len(remaining)), tip_id)
    order = state.seen + tuple(remaining)
    if order == state.order:
        return state
    return RotationState(cycle=state.cycle, order=order, position=state.position)


def next_tip(
    state: RotationState | None, tip_ids: Iterable[str], guild_id: int
) -> tuple[str, RotationState]:
    """Pick the guild's next tip; returns ``(tip_id, new_state)``. Never mutates `state`.

    Raises `NoTipsError` if `tip_ids` is empty.
    """
    current = TipIds.of(tip_ids)
    if not current.ordered:
        raise NoTipsError("there are no tips to choose from")
    if state is None:
        state = new_cycle(guild_id, 1, current)
    else:
        state = reconcile(state, current, guild_id)
        if not state.remaining:
            last = state.order[-1] if state.order else None
            log.debug("guild %s starts tip cycle %d", guild_id, state.cycle + 1)
            state = new_cycle(guild_id, state.cycle + 1, current, avoid_first=last)
    tip_id = state.order[state.position]
    return tip_id, RotationState(cycle=state.cycle, order=state.order, position=state.position + 1)
