"""The practice tables, on the store's one metadata (migration 0002_practice creates them).

- `practice_runs`: one row a quiz or mock exam, its whole state in a few columns (the question
  ids, answers and flags as JSON lists), so a press is one read and one compare-and-set write.
  A partial unique index keeps one active run a member, in the database itself.
- `practice_answers`: one row an answered question, the history spaced review and progress
  read (issue 9). Its primary key (member, question, answered_at) is the index those reads
  need, and on SQLite the table is stored WITHOUT ROWID, in that key's own b-tree: no second
  copy of the row in an index, about 60 bytes a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    text,
)

from bot.practice.runs import AnswerRecord
from bot.store import UTCDateTime, metadata

# SQLite numbers rows itself only for an INTEGER PRIMARY KEY; BIGINT elsewhere.
RUN_ID = BigInteger().with_variant(Integer(), "sqlite")
ACTIVE = text("status = 'active'")

practice_runs = Table(
    "practice_runs",
    metadata,
    Column("id", RUN_ID, primary_key=True, autoincrement=True),
    Column("member_id", BigInteger, nullable=False),
    Column("guild_id", BigInteger),
    Column("channel_id", BigInteger),
    Column("kind", String(8), nullable=False),  # quiz | mock
    Column("status", String(8), nullable=False),  # active | finished | expired | dropped
    Column("section", String(64)),  # a quiz on one section
    Column("question_ids", JSON, nullable=False),
    Column("answers", JSON, nullable=False),  # a letter or null for each question
    Column("flags", JSON, nullable=False),  # indexes flagged for review
    Column("position", SmallInteger, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("deadline", UTCDateTime()),
    Column("finished_at", UTCDateTime()),
    Column("revision", Integer, nullable=False),
    Index(
        "ix_practice_runs_one_active",
        "member_id",
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    ),
    Index("ix_practice_runs_due", "deadline", sqlite_where=ACTIVE, postgresql_where=ACTIVE),
    Index("ix_practice_runs_member", "member_id", "started_at"),
)

practice_answers = Table(
    "practice_answers",
    metadata,
    Column("member_id", BigInteger, primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("answered_at", UTCDateTime(), primary_key=True),
    Column("section", String(64), nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("source", String(8), nullable=False),  # quiz | mock
    Column("run_id", RUN_ID),
    sqlite_with_rowid=False,
)


def answer_rows(records: Sequence[AnswerRecord]) -> list[dict[str, Any]]:
    """`practice_answers` rows for answers, wherever they were given (quiz, mock, review, QOTD)."""
    return [
        {
            "member_id": r.member_id,
            "question_id": r.question_id,
            "answered_at": r.answered_at,
            "section": r.section,
            "correct": r.correct,
            "source": r.source,
            "run_id": r.run_id,
        }
        for r in records
    ]
