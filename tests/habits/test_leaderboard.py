from datetime import UTC, datetime, timedelta

from bot.habits.leaderboard import period_start, rank


def test_more_right_answers_rank_higher_then_fewer_attempts() -> None:
    board = rank([(1, 5, 9), (2, 7, 7), (3, 5, 5)])
    assert [s.member_id for s in board] == [2, 3, 1]
    assert [s.place for s in board] == [1, 2, 3]


def test_ties_share_a_place_and_the_next_place_is_skipped() -> None:
    board = rank([(10, 4, 4), (11, 4, 4), (12, 3, 3)])
    assert [(s.member_id, s.place) for s in board] == [(10, 1), (11, 1), (12, 3)]


def test_the_board_stops_at_the_limit_but_keeps_a_tie_at_the_edge() -> None:
    board = rank([(i, 10 - i, 10) for i in range(7)] + [(99, 4, 10), (50, 1, 10)], limit=7)
    assert [s.place for s in board] == [1, 2, 3, 4, 5, 6, 7, 7]


def test_periods() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert period_start("week", now) == now - timedelta(days=7)
    assert period_start("all", now) is None
