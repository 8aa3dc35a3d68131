"""Per-member rate limits for /ask and mentions, in O(1) per check.

discord.py's `commands.CooldownMapping.get_bucket` sweeps its whole cache on every call to drop
idle buckets: O(members seen in the last window) per check, so a burst from thousands of members
turns quadratic (about 0.7 ms per /ask at 4,000 recent members, measured with
benchmarks/bench_discord.py). Here idle buckets are dropped oldest first, each at most once.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable

from discord.app_commands import Cooldown


class MemberCooldown:
    """`rate` uses per `per` seconds for each key (a member id), as discord.py's Cooldown."""

    def __init__(self, rate: int, per: float) -> None:
        self.cooldown = Cooldown(rate, per)  # the template (CommandOnCooldown wants one)
        self._buckets: dict[Hashable, Cooldown] = {}
        self._last_used: OrderedDict[Hashable, float] = OrderedDict()  # oldest first
        # Keys told "slow down" since their bucket last let them through: forgotten with the
        # bucket, so members who never come back cost nothing.
        self._warned: set[Hashable] = set()

    def __len__(self) -> int:
        return len(self._buckets)

    def retry_after(self, key: Hashable, now: float | None = None) -> float | None:
        """Use one token of `key`'s bucket: None when allowed, else the seconds to wait."""
        now = time.time() if now is None else now
        per = self.cooldown.per
        last_used = self._last_used
        # A bucket unused for a whole window is full again: forgetting it changes nothing.
        while last_used:
            oldest, when = next(iter(last_used.items()))
            if now - when <= per:
                break
            del last_used[oldest], self._buckets[oldest]
            self._warned.discard(oldest)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = self.cooldown.copy()
        last_used[key] = now
        last_used.move_to_end(key)
        retry = bucket.update_rate_limit(now)
        if retry is None:
            self._warned.discard(key)
        return retry

    def first_refusal(self, key: Hashable) -> bool:
        """True the first time `key` is refused since it was last allowed: warn once, then
        stay quiet until the member may ask again."""
        if key in self._warned:
            return False
        self._warned.add(key)
        return True

    @property
    def warned(self) -> int:
        return len(self._warned)
