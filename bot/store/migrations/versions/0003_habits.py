"""Study habits: review cards, member settings, the question of the day's posts and answers.

Revision ID: 0003_habits
Revises: 0002_practice
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_habits"
down_revision = "0002_practice"
branch_labels = None
depends_on = None

POST_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_cards",
        sa.Column("member_id", sa.BigInteger, primary_key=True),
        sa.Column("question_id", sa.String(64), primary_key=True),
        sa.Column("due", WHEN, nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("reviews", sa.Integer, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_index("ix_review_cards_member_due", "review_cards", ["member_id", "due"])
    op.create_table(
        "member_settings",
        sa.Column("member_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("timezone", sa.String(64)),
        sa.Column("exam_date", sa.Date),
        sa.Column("reminder_time", sa.String(5)),
        sa.Column("reminder_next_at", WHEN),
        sa.Column("reminder_last_date", sa.Date),
        sa.Column("dm_closed_at", WHEN),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_index("ix_member_settings_reminder", "member_settings", ["reminder_next_at"])
    op.create_table(
        "qotd_posts",
        sa.Column("id", POST_ID, primary_key=True, autoincrement=True),
        sa.Column("guild_id", sa.BigInteger, nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(25)),
        sa.Column("channel_id", sa.BigInteger),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("posted_at", WHEN, nullable=False),
        sa.Column("reveal_at", WHEN),
        sa.Column("revealed_at", WHEN),
        sa.UniqueConstraint("nonce", name="uq_qotd_posts_nonce"),
    )
    op.create_index("ix_qotd_posts_guild", "qotd_posts", ["guild_id", "posted_at"])
    op.create_index("ix_qotd_posts_reveal", "qotd_posts", ["reveal_at"])
    op.create_table(
        "qotd_answers",
        sa.Column(
            "post_id",
            POST_ID,
            sa.ForeignKey(
                "qotd_posts.id", ondelete="CASCADE", name="fk_qotd_answers_post_id_qotd_posts"
            ),
            primary_key=True,
        ),
        sa.Column("member_id", sa.BigInteger, primary_key=True),
        sa.Column("guild_id", sa.BigInteger, nullable=False),
        sa.Column("choice", sa.String(1), nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("answered_at", WHEN, nullable=False),
        sa.Column("display_name", sa.String(100)),
    )
    op.create_index("ix_qotd_answers_guild_time", "qotd_answers", ["guild_id", "answered_at"])
    op.create_index("ix_qotd_answers_member", "qotd_answers", ["member_id"])
    op.create_table(
        "streak_days",
        sa.Column("member_id", sa.BigInteger, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
    )
    op.create_table(
        "qotd_settings",
        sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("reveal_hours", sa.SmallInteger),
        sa.Column("extra", sa.JSON),
    )


def downgrade() -> None:
    op.drop_table("qotd_settings")
    op.drop_table("streak_days")
    op.drop_index("ix_qotd_answers_member", table_name="qotd_answers")
    op.drop_index("ix_qotd_answers_guild_time", table_name="qotd_answers")
    op.drop_table("qotd_answers")
    op.drop_index("ix_qotd_posts_reveal", table_name="qotd_posts")
    op.drop_index("ix_qotd_posts_guild", table_name="qotd_posts")
    op.drop_table("qotd_posts")
    op.drop_index("ix_member_settings_reminder", table_name="member_settings")
    op.drop_table("member_settings")
    op.drop_index("ix_review_cards_member_due", table_name="review_cards")
    op.drop_table("review_cards")
