"""The gap log: questions the bot could not answer, normalised, with counts.

Revision ID: 0004_gaps
Revises: 0003_habits
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_gaps"
down_revision = "0003_habits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gap_questions",
        sa.Column("text", sa.String(300), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_gap_questions_count", "gap_questions", ["count"])


def downgrade() -> None:
    op.drop_index("ix_gap_questions_count", table_name="gap_questions")
    op.drop_table("gap_questions")
