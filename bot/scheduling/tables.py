"""The daily-post tables, shared by every kind of daily post (tips, question of the day...).

One schedule row per (server, kind) and one row per (server, kind, local date) posted or
attempted: that primary key is what makes a post go out at most once a day, whichever process
or restart tries. Created by the Alembic revision ``0001_tips``.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store import UTCDateTime, metadata

POST_STATUSES = ("claimed", "sent", "failed", "skipped", "unconfirmed")

daily_schedules = sa.Table(
    "daily_schedules",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("channel_id", sa.BigInteger, nullable=False),
    sa.Column("post_time", sa.String(5), nullable=False),  # "HH:MM", server-local
    sa.Column("timezone", sa.String(64), nullable=False),  # canonical IANA name
    sa.Column("skip_weekends", sa.Boolean, nullable=False, default=False),
    sa.Column("paused_reason", sa.Text),  # set while paused
    sa.Column("next_due_at", UTCDateTime),  # NULL while paused
    sa.Column("due_date", sa.Date),  # the local date next_due_at is for
    sa.Column("failures", sa.Integer, nullable=False, default=0),  # consecutive
    sa.Column("last_error", sa.Text),
    sa.Column("last_error_at", UTCDateTime),
    # Bumped by every admin change; the scheduler's writes are compare-and-set on it, so a
    # process acting on a stale row never undoes an admin's change.
    sa.Column("revision", sa.Integer, nullable=False, default=1),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index(None, "kind", "next_due_at"),
)

daily_posts = sa.Table(
    "daily_posts",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("local_date", sa.Date, primary_key=True),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("item_id", sa.String(100)),  # what was (to be) posted: a retry sends the same
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("claimer", sa.String(100)),  # the process that claimed it
    sa.Column("claimed_at", UTCDateTime),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("message_id", sa.BigInteger),
    sa.Column("error", sa.Text),  # the failure, the skip's reason, or the unconfirmed note
    sa.CheckConstraint(sa.column("status").in_(POST_STATUSES), name="status"),
    sa.Index(None, "local_date"),
)
