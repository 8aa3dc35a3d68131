"""The study-habits tables, on the store's one metadata (migration 0003_habits creates them).

- `review_cards`: one FSRS card a member and missed question; `state` is fsrs's own dict, so
  the schema does not follow FSRS's fields. The (member, due) index answers "what is due".
- `member_settings`: a member's own settings (time zone, exam date, DM reminder) and the
  reminder's bookkeeping: the next instant it fires (indexed, so the loop reads only what is
  due) and the local date last claimed (a restart neither repeats nor skips a day).
- `streak_days`: one row a member and local day on which they answered the question of the day
  or reviewed, the day taken in their zone at that moment: a later change of zone leaves the
  days already counted as they were.
- `qotd_posts`: one question-of-the-day message, with its reveal time.
- `qotd_answers`: one answer a member and post. The primary key is the "answers once" rule,
  in the database itself, so 5,000 members pressing at once are each recorded exactly once.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
)

from bot.store import UTCDateTime, metadata

POST_ID = BigInteger().with_variant(Integer(), "sqlite")

review_cards = Table(
    "review_cards",
    metadata,
    Column("member_id", BigInteger, primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("due", UTCDateTime(), nullable=False),
    Column("state", JSON, nullable=False),
    Column("reviews", Integer, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_review_cards_member_due", "member_id", "due"),
)

member_settings = Table(
    "member_settings",
    metadata,
    Column("member_id", BigInteger, primary_key=True),
    Column("timezone", String(64)),  # IANA name; None: the server's
    Column("exam_date", Date),
    Column("reminder_time", String(5)),  # "HH:MM" local; None: no reminder
    Column("reminder_next_at", UTCDateTime()),  # the next instant the reminder is due
    Column("reminder_last_date", Date),  # the local date last claimed
    Column("dm_closed_at", UTCDateTime()),  # DMs refused (403/50007): reminders stop
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_member_settings_reminder", "reminder_next_at"),
)

qotd_posts = Table(
    "qotd_posts",
    metadata,
    Column("id", POST_ID, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("question_id", String(64), nullable=False),
    # the scheduled day's nonce (bot.scheduling.nonce_for): a retried send reuses its row;
    # None for a post an admin asked for
    Column("nonce", String(25), unique=True),
    Column("channel_id", BigInteger),
    Column("message_id", BigInteger),
    Column("posted_at", UTCDateTime(), nullable=False),
    Column("reveal_at", UTCDateTime()),
    Column("revealed_at", UTCDateTime()),
    Index("ix_qotd_posts_guild", "guild_id", "posted_at"),
    Index("ix_qotd_posts_reveal", "reveal_at"),
)

qotd_answers = Table(
    "qotd_answers",
    metadata,
    Column("post_id", POST_ID, ForeignKey("qotd_posts.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", BigInteger, primary_key=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("choice", String(1), nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("answered_at", UTCDateTime(), nullable=False),
    Column("display_name", String(100)),  # shown on the leaderboard after the member left
    Index("ix_qotd_answers_guild_time", "guild_id", "answered_at"),
    Index("ix_qotd_answers_member", "member_id"),
)

streak_days = Table(
    "streak_days",
    metadata,
    Column("member_id", BigInteger, primary_key=True),
    Column("day", Date, primary_key=True),  # local, in the member's zone when they practised
)

qotd_settings = Table(
    "qotd_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True),
    Column("reveal_hours", SmallInteger),  # None: at the next post, or after 12 hours
    Column("extra", JSON),
)
