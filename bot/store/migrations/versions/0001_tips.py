"""Daily posts (tips first) and tip rotations; carries over the old hand-written SQLite store.

Revision ID: 0001_tips
Revises:
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001_tips"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = "status IN ('claimed', 'sent', 'failed', 'skipped', 'unconfirmed')"


def upgrade() -> None:
    schedules = op.create_table(
        "daily_schedules",
        sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("channel_id", sa.BigInteger, nullable=False),
        sa.Column("post_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("skip_weekends", sa.Boolean, nullable=False),
        sa.Column("paused_reason", sa.Text),
        sa.Column("next_due_at", sa.DateTime(timezone=True)),
        sa.Column("due_date", sa.Date),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("last_error_at", sa.DateTime(timezone=True)),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_daily_schedules_kind_next_due_at", "daily_schedules", ["kind", "next_due_at"]
    )
    posts = op.create_table(
        "daily_posts",
        sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("local_date", sa.Date, primary_key=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("item_id", sa.String(100)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimer", sa.String(100)),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("error", sa.Text),
        sa.CheckConstraint(STATUSES, name="ck_daily_posts_status"),
    )
    op.create_index("ix_daily_posts_local_date", "daily_posts", ["local_date"])
    rotations = op.create_table(
        "tip_rotations",
        sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("cycle", sa.Integer, nullable=False),
        sa.Column("tip_order", sa.JSON, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    if sa.inspect(op.get_bind()).has_table("guild_config"):
        _carry_over_the_old_sqlite_store(schedules, posts, rotations)


# --------------------------------------------------------------------------- the old store
# Its schema (PRAGMA user_version 1): guild_config, posts and rotation, instants as
# "YYYY-MM-DDTHH:MM:SSZ" text, dates as "YYYY-MM-DD". Copied row by row, then dropped.


def _carry_over_the_old_sqlite_store(schedules: Any, posts: Any, rotations: Any) -> None:
    bind = op.get_bind()
    old = [dict(r._mapping) for r in bind.exec_driver_sql("SELECT * FROM guild_config")]
    op.bulk_insert(schedules, [_schedule(row) for row in old])
    old_posts = [dict(r._mapping) for r in bind.exec_driver_sql("SELECT * FROM posts")]
    op.bulk_insert(posts, [_post(row) for row in old_posts])
    old_rotations = [dict(r._mapping) for r in bind.exec_driver_sql("SELECT * FROM rotation")]
    op.bulk_insert(rotations, [_rotation(row) for row in old_rotations])
    for table in ("posts", "rotation", "guild_config"):
        op.drop_table(table)


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None)  # SQLite stores naive UTC text


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _schedule(row: dict[str, Any]) -> dict[str, Any]:
    paused = None if row["enabled"] else (row["paused_reason"] or "Paused by an admin.")
    return {
        "guild_id": row["guild_id"],
        "kind": "tip",
        "channel_id": row["channel_id"],
        "post_time": row["post_time"],
        "timezone": row["timezone"],
        "skip_weekends": bool(row["skip_weekends"]),
        "paused_reason": paused,
        "next_due_at": None if paused else _instant(row["next_due_utc"]),
        "due_date": None if paused else _day(row["due_date"]),
        "failures": row["failures"],
        "last_error": row["last_error"],
        "last_error_at": _instant(row["last_error_at"]),
        "revision": row["revision"],
        "created_at": _instant(row["created_at"]),
        "updated_at": _instant(row["updated_at"]),
    }


def _post(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "guild_id": row["guild_id"],
        "kind": "tip",
        "local_date": _day(row["local_date"]),
        "status": row["status"],
        "item_id": row["tip_id"],
        "attempts": row["attempts"],
        "claimer": row["claimer"],
        "claimed_at": _instant(row["claimed_at"]),
        "sent_at": _instant(row["sent_at"]),
        "message_id": row["message_id"],
        "error": row["error"],
    }


def _rotation(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "guild_id": row["guild_id"],
        "cycle": row["cycle"],
        "tip_order": [str(tip_id) for tip_id in json.loads(row["tip_order"])],
        "position": row["position"],
        "updated_at": _instant(row["updated_at"]),
    }


def downgrade() -> None:
    op.drop_table("tip_rotations")
    op.drop_table("daily_posts")
    op.drop_table("daily_schedules")
