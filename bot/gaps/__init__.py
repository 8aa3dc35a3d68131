"""The questions the bot could not answer, counted in the store so the knowledge base can grow
where members need it: `GapLog` (the repository) and `GapRecorder` (a bounded, non-blocking
buffer the answer path notes questions into, flushed in batches by a task)."""

from bot.gaps.log import GapLog, GapQuestion, GapRecorder, gap_text

__all__ = ["GapLog", "GapQuestion", "GapRecorder", "gap_text"]
