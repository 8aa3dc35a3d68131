"""The tips' own table: each server's place in its tip rotation (revision ``0001_tips``).
The daily schedule and post history are the generic ones in `bot.scheduling.tables`."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store import UTCDateTime, metadata

tip_rotations = sa.Table(
    "tip_rotations",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("cycle", sa.Integer, nullable=False),
    sa.Column("tip_order", sa.JSON, nullable=False),  # the cycle's tip ids, in order
    sa.Column("position", sa.Integer, nullable=False),  # how many of them were shown
    sa.Column("updated_at", UTCDateTime, nullable=False),
)
