"""How much more, how much less: the difference of two of the guide's figures, computed and
shown with both figures, never a figure the guide does not support. Two ranges differ by the
difference of their low ends and of their high ends; a range and one figure by the difference
of each end from it."""

from __future__ import annotations

from bot.knowledge.models import Figure


def _money(amount: float) -> str:
    return f"${abs(amount):,.0f}"


def _ends(figure: Figure) -> tuple[float, float] | None:
    if figure.low is None:
        return None
    return figure.low, figure.high if figure.high is not None else figure.low


def comparable(a: Figure, b: Figure) -> bool:
    return a.unit == b.unit and a.unit in {"usd_year", "usd_hour"} and bool(_ends(a) and _ends(b))


def difference(subject: str, a: Figure, other: str, b: Figure, verb: str = "pays") -> str | None:
    """ "Hawaii pays $15,200 more than Arkansas ($55,400 against $40,200)." None when the two
    figures are not amounts of the same unit. `verb`: "is" for two figures of one entry ("the
    average annual salary is $1,420 more than the median")."""
    if not comparable(a, b):
        return None
    (a_low, a_high), (b_low, b_high) = _ends(a), _ends(b)  # type: ignore[misc]
    single_a, single_b = a_low == a_high, b_low == b_high
    low, high = a_low - b_low, a_high - b_high
    if single_a and single_b:
        if low == 0:
            same = "pay the same" if verb == "pays" else "are the same"
            return f"{subject} and {other} {same}: {a.text}."
        word = "more" if low > 0 else "less"
        pct = abs(low) / min(a_low, b_low) * 100 if min(a_low, b_low) else 0
        share = f", about {pct:.0f}% {word}" if pct and low > 0 else ""
        return f"{subject} {verb} {_money(low)} {word} than {other} ({a.text} against {b.text}{share})."
    if single_b:  # a range against one figure: each end against it
        low, high = a_low - b_low, a_high - b_low
        how = f"each end of {a.text} against {b.text}"
    elif single_a:
        low, high = a_low - b_high, a_low - b_low
        how = f"{a.text} against each end of {b.text}"
    else:
        how = (
            f"the low ends {_money(a_low)} against {_money(b_low)}, the high ends "
            f"{_money(a_high)} against {_money(b_high)}"
        )
    low, high = sorted((low, high))
    if low >= 0:
        span = _money(low) if low == high else f"{_money(low)}–{_money(high)}"
        said = f"{span} more"
    elif high <= 0:
        span = _money(high) if low == high else f"{_money(high)}–{_money(low)}"
        said = f"{span} less"
    else:
        said = f"from {_money(low)} less to {_money(high)} more"
    plus = (
        " (the guide gives no upper bound for one of them)" if a.open_ended or b.open_ended else ""
    )
    return f"{subject} {verb} {said} than {other}, by the guide's figures ({how}){plus}."
