"""Practice: quiz and mock-exam runs, and every answered question (issue 8).

Revision ID: 0002_practice
Revises: 0001_tips
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_practice"
down_revision = "0001_tips"
branch_labels = None
depends_on = None

RUN_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    op.create_table(
        "practice_runs",
        sa.Column("id", RUN_ID, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.BigInteger, nullable=False),
        sa.Column("guild_id", sa.BigInteger),
        sa.Column("channel_id", sa.BigInteger),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("section", sa.String(64)),
        sa.Column("question_ids", sa.JSON, nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("flags", sa.JSON, nullable=False),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_practice_runs_one_active",
        "practice_runs",
        ["member_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_index(
        "ix_practice_runs_due",
        "practice_runs",
        ["deadline"],
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_index("ix_practice_runs_member", "practice_runs", ["member_id", "started_at"])
    op.create_table(
        "practice_answers",
        sa.Column("member_id", sa.BigInteger, primary_key=True),
        sa.Column("question_id", sa.String(64), primary_key=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("section", sa.String(64), nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("run_id", RUN_ID),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("practice_answers")
    op.drop_index("ix_practice_runs_member", table_name="practice_runs")
    op.drop_index("ix_practice_runs_due", table_name="practice_runs")
    op.drop_index("ix_practice_runs_one_active", table_name="practice_runs")
    op.drop_table("practice_runs")
