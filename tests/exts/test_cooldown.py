"""MemberCooldown: discord.py's per-member limits, without its O(members) sweep per check."""

from __future__ import annotations

from bot.exts._cooldown import MemberCooldown


def test_rate_per_member() -> None:
    limits = MemberCooldown(rate=2, per=30.0)
    assert limits.retry_after(1, now=100.0) is None
    assert limits.retry_after(1, now=101.0) is None
    retry = limits.retry_after(1, now=102.0)
    assert retry is not None and 27.9 < retry <= 28.0  # the window began at 100
    assert limits.retry_after(2, now=102.0) is None  # another member has their own bucket
    assert limits.retry_after(1, now=130.5) is None  # the window is over


def test_idle_members_are_forgotten_oldest_first() -> None:
    limits = MemberCooldown(rate=1, per=10.0)
    for member in range(100):
        limits.retry_after(member, now=member / 10)
    assert len(limits) == 100
    limits.retry_after("late", now=15.0)  # members 0..49 idle for more than 10 s
    assert len(limits) == 51
    assert limits.retry_after(99, now=15.0) is not None  # still limited, still known
    assert limits.retry_after(0, now=15.0) is None  # forgotten: a full bucket again


def test_a_member_in_use_is_kept_even_if_first_seen_long_ago() -> None:
    limits = MemberCooldown(rate=3, per=10.0)
    limits.retry_after("busy", now=0.0)
    limits.retry_after("other", now=5.0)
    limits.retry_after("busy", now=8.0)  # moves to the back of the line
    limits.retry_after("x", now=16.0)  # "other" is idle (11 s); "busy" was used 8 s ago
    assert len(limits) == 2
    limits.retry_after("busy", now=17.0)
    assert limits.retry_after("busy", now=17.5) is not None  # its third and fourth use


def test_many_members() -> None:
    """50,000 members in one window (discord.py's CooldownMapping would sweep all of them on
    every check; here idle ones are dropped once, oldest first: benchmarks/bench_discord.py)."""
    limits = MemberCooldown(rate=1, per=30.0)
    for member in range(50_000):
        assert limits.retry_after(member, now=1000.0 + member / 10_000) is None
    assert len(limits) == 50_000
    assert limits.retry_after(123, now=1010.0) is not None
    limits.retry_after("later", now=1040.0)  # every other member is idle for over 30 s
    assert len(limits) == 2  # "later" and 123 (used at 1010)


def test_warned_members_are_forgotten_with_their_bucket() -> None:
    # Members refused once and never seen again must not pile up (1,000,000 of them once cost
    # 66 MB that was never given back).
    limits = MemberCooldown(rate=1, per=10.0)
    for member in range(1000):
        limits.retry_after(member, now=100.0)
        assert limits.retry_after(member, now=100.0) is not None
        assert limits.first_refusal(member)
        assert not limits.first_refusal(member)  # warned once, then quiet
    assert limits.warned == 1000
    limits.retry_after("later", now=160.0)
    assert limits.warned == 0 and len(limits) == 1


def test_a_member_allowed_again_is_warned_again_next_time() -> None:
    limits = MemberCooldown(rate=1, per=10.0)
    limits.retry_after(1, now=100.0)
    limits.retry_after(1, now=101.0)
    assert limits.first_refusal(1)
    assert limits.retry_after(1, now=110.5) is None  # allowed: the warning is spent
    assert limits.retry_after(1, now=111.0) is not None
    assert limits.first_refusal(1)
