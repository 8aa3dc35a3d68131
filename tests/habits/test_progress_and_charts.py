from datetime import UTC, datetime, timedelta

from bot.habits.charts import MAX_PNG_BYTES, progress_chart, range_chart
from bot.habits.progress import AnswerRow, MockScore, build_progress

PNG = b"\x89PNG\r\n\x1a\n"
MONDAY = datetime(2026, 11, 2, 15, tzinfo=UTC)
NAMES = {"em": "Evaluation and Management", "icd10cm": "ICD-10-CM", "hcpcs": "HCPCS Level II"}


def rows() -> list[AnswerRow]:
    out = []
    for week in range(3):
        at = MONDAY + timedelta(weeks=week)
        out += [AnswerRow("em", week > 0, at), AnswerRow("em", True, at)]
        out += [AnswerRow("icd10cm", False, at), AnswerRow("icd10cm", week == 2, at)]
    out.append(AnswerRow("hcpcs", False, MONDAY))
    return out


def test_weakest_sections_come_first_and_thin_ones_last() -> None:
    progress = build_progress(rows(), NAMES, zone=UTC)
    assert [s.section for s in progress.sections] == ["icd10cm", "em", "hcpcs"]
    assert (progress.sections[0].right, progress.sections[0].total) == (1, 6)
    assert (progress.answered, progress.right) == (13, 6)


def test_the_weekly_trend_is_oldest_first() -> None:
    progress = build_progress(rows(), NAMES, zone=UTC)
    assert [w[0].isoformat() for w in progress.weeks] == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert [round(w[1], 2) for w in progress.weeks] == [0.2, 0.5, 0.75]


def test_mock_scores_newest_first_against_the_pass_line() -> None:
    mocks = [MockScore(MONDAY, 69, 100), MockScore(MONDAY + timedelta(days=3), 18, 25)]
    progress = build_progress([], NAMES, mocks, zone=UTC)
    assert [(m.right, m.passed) for m in progress.mocks] == [(18, True), (69, False)]


def test_charts_are_valid_pngs_within_discords_limit() -> None:
    for png in (
        progress_chart(build_progress(rows(), NAMES, zone=UTC)),
        progress_chart(build_progress([], NAMES, zone=UTC)),
        range_chart("Career ladder", [("Entry", 38000, 44000), ("Director", 90000, None)]),
    ):
        assert png.startswith(PNG) and 1000 < len(png) < MAX_PNG_BYTES


def test_the_bot_starts_without_paying_for_matplotlib() -> None:
    # matplotlib and numpy cost about 56 MB resident: only a process that draws a chart pays.
    import subprocess
    import sys

    code = (
        "import sys, importlib\n"
        "from bot.exts import walk_extensions\n"
        "for name in walk_extensions(): importlib.import_module(name)\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
