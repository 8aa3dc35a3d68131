"""The gap log's table (revision ``0004_gaps``): one row per normalised question text."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store import UTCDateTime, metadata

MAX_TEXT = 300  # characters of a normalised question kept

gap_questions = sa.Table(
    "gap_questions",
    metadata,
    sa.Column("text", sa.String(MAX_TEXT), primary_key=True),  # normalised; no member id
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("last_seen", UTCDateTime, nullable=False),
    sa.Index("ix_gap_questions_count", "count"),
)
