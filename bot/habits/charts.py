"""Charts as PNG bytes, drawn with matplotlib's object API (no pyplot global state), so a cog
can render them in a worker thread while the event loop keeps answering.

matplotlib (with numpy) adds about 56 MB to the process: it is imported by the first chart
drawn, in that worker thread, not when the bot starts (most processes never draw one)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.habits.progress import PASS_LINE, Progress
from bot.knowledge import KnowledgeBase
from bot.knowledge.models import Figure as PayFigure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Discord's smallest upload limit is 10 MiB; these charts are tens of kilobytes, and the
# figure size and resolution are fixed, so they stay far below it.
MAX_PNG_BYTES = 8 * 1024 * 1024
_DPI = 100
_ACCENT = "#3b6fd6"
_WEAK = "#d65a3b"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    data = buffer.getvalue()
    if len(data) > MAX_PNG_BYTES:  # cannot happen at a fixed size; never send what Discord refuses
        raise ValueError(f"chart is {len(data)} bytes, over {MAX_PNG_BYTES}")
    return data


def progress_chart(progress: Progress, title: str = "Your progress") -> bytes:
    """Accuracy by section (bars, the pass line marked) above the weekly trend (a line)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    rows = progress.sections[:21]
    figure = Figure(figsize=(8, 3 + 0.3 * max(len(rows), 1)))
    bars, trend = figure.subplots(2, 1, height_ratios=[max(len(rows), 1), 4])
    names = [s.name for s in rows][::-1]
    shares = [s.share for s in rows][::-1]
    colours = [_ACCENT if v >= PASS_LINE else _WEAK for v in shares]
    bars.barh(names or ["no answers yet"], shares or [0], color=colours or [_WEAK])
    bars.axvline(PASS_LINE, color="grey", linestyle="--", linewidth=1)
    bars.set_xlim(0, 1)
    bars.xaxis.set_major_formatter(PercentFormatter(1.0))
    bars.set_title(f"{title}: accuracy by section (dashed line: 70 %)")
    bars.tick_params(axis="y", labelsize=8)
    if progress.weeks:
        labels = [monday.strftime("%d %b") for monday, _, _ in progress.weeks]
        trend.plot(labels, [share for _, share, _ in progress.weeks], marker="o", color=_ACCENT)
    trend.axhline(PASS_LINE, color="grey", linestyle="--", linewidth=1)
    trend.set_ylim(0, 1)
    trend.yaxis.set_major_formatter(PercentFormatter(1.0))
    trend.set_title("Accuracy by week")
    figure.tight_layout()
    return _png(figure)


def range_chart(title: str, rows: Sequence[tuple[str, float, float | None]]) -> bytes:
    """Pay ranges as horizontal bars from low to high (a dot where only one figure is known),
    in the order given: the career ladder, a state ranking, two things compared."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(8, 1.2 + 0.45 * max(len(rows), 1)))
    axes = figure.subplots()
    labels = [label for label, _, _ in rows][::-1]
    for y, (_, low, high) in enumerate(reversed(rows)):
        if high is None or high == low:
            axes.plot([low], [y], marker="o", color=_ACCENT)
        else:
            axes.barh(y, high - low, left=low, color=_ACCENT, height=0.6)
    axes.set_yticks(range(len(labels)), labels, fontsize=9)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"${value / 1000:,.0f}k"))
    axes.set_title(title)
    axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return _png(figure)


def pay_rows(kb: KnowledgeBase, entry_ids: Sequence[str]) -> list[tuple[str, float, float | None]]:
    """(name, low, high) of the entries behind an answer that state a yearly pay figure, in the
    answer's order: the figures come from the entries, never from the text shown."""
    rows = []
    for entry_id in entry_ids:
        entry = kb.entries.get(entry_id)
        figure = getattr(entry, "salary", None)
        if entry is None or not isinstance(figure, PayFigure) or figure.low is None:
            continue
        if figure.unit == "usd_year":
            rows.append((entry.name, figure.low, figure.high))
    return rows
