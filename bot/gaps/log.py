"""Recording what the bot could not answer: never on the answer path's time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from bot.engine import Answer
from bot.gaps.tables import MAX_TEXT, gap_questions
from bot.knowledge.text import normalize
from bot.store import Database, dialect_insert

# Answers to messages that ask nothing ("hi", "thanks", an empty mention): not gaps.
NOT_QUESTIONS = frozenset({"greeting", "empty"})
# Rows kept: beyond this, the questions seen least recently are dropped.
MAX_ROWS = 5_000
# Distinct questions buffered between flushes; more are dropped (and counted) until then.
MAX_PENDING = 1_000


def gap_text(answer: Answer) -> str | None:
    """The normalised question to record, when the answer is none or only a gap."""
    if answer.answered and not answer.gap:
        return None
    if answer.rule in NOT_QUESTIONS:
        return None
    text = normalize(answer.query)[:MAX_TEXT].strip()
    return text or None


@dataclass(frozen=True)
class GapQuestion:
    text: str
    count: int
    first_seen: datetime
    last_seen: datetime


class GapLog:
    """The repository: one readable statement per operation."""

    def __init__(self, db: Database, max_rows: int = MAX_ROWS) -> None:
        self.db = db
        self.max_rows = max_rows

    async def record(self, counts: dict[str, int], first: datetime, last: datetime) -> None:
        """Add a batch of questions and how often each was asked; keep the table capped."""
        if not counts:
            return
        rows = [
            {"text": text, "count": n, "first_seen": first, "last_seen": last}
            for text, n in counts.items()
        ]
        async with self.db.begin() as conn:
            insert = dialect_insert(conn, gap_questions)
            await conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[gap_questions.c.text],
                    set_={
                        "count": gap_questions.c.count + insert.excluded.count,
                        "last_seen": insert.excluded.last_seen,
                    },
                ),
                rows,
            )
            await conn.execute(self._beyond_the_cap())

    def _beyond_the_cap(self) -> sa.Delete:
        kept = (
            sa.select(gap_questions.c.text)
            .order_by(gap_questions.c.last_seen.desc(), gap_questions.c.count.desc())
            .limit(self.max_rows)
        )
        return sa.delete(gap_questions).where(gap_questions.c.text.not_in(kept.scalar_subquery()))

    async def most_asked(self, limit: int = 20) -> list[GapQuestion]:
        query = (
            sa.select(gap_questions)
            .order_by(gap_questions.c.count.desc(), gap_questions.c.last_seen.desc())
            .limit(limit)
        )
        async with self.db.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [GapQuestion(r["text"], r["count"], r["first_seen"], r["last_seen"]) for r in rows]


class GapRecorder:
    """Notes questions without waiting: a bounded in-memory batch that `flush()` (a task, every
    few seconds) writes in one transaction. Off when `enabled` is False."""

    def __init__(self, log: GapLog, enabled: bool = True, max_pending: int = MAX_PENDING) -> None:
        self.log = log
        self.enabled = enabled
        self.max_pending = max_pending
        self.pending: Counter[str] = Counter()
        self.dropped = 0
        self._first: datetime | None = None
        self._last: datetime | None = None

    def note(self, answer: Answer, now: datetime | None = None) -> None:
        """Called on the answer path: a dictionary update, never I/O."""
        if not self.enabled:
            return
        text = gap_text(answer)
        if text is None:
            return
        if text not in self.pending and len(self.pending) >= self.max_pending:
            self.dropped += 1
            return
        now = now or datetime.now(UTC)
        self.pending[text] += 1
        self._first = self._first or now
        self._last = now

    async def flush(self) -> int:
        """Write what was noted; on a store failure the batch is kept for the next flush."""
        if not self.pending or self._first is None or self._last is None:
            return 0
        batch, first, last = dict(self.pending), self._first, self._last
        await self.log.record(batch, first, last)  # raises StoreUnavailable: nothing lost
        for text, n in batch.items():
            self.pending[text] -= n
            if self.pending[text] <= 0:
                del self.pending[text]
        # Questions noted while the batch was written wait for the next flush.
        self._first = self._last if self.pending else None
        if not self.pending:
            self._last = None
        return len(batch)
