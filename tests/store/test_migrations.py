"""Migrations from an empty database, on both backends, build exactly the tables the code
declares (the old tips store's migration: tests/tips/test_legacy_migration.py)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot.gaps.tables
import bot.scheduling.tables
import bot.tips.tables  # noqa: F401  (their tables join `metadata`)
from bot.store import Database, metadata


async def test_migrations_build_exactly_the_declared_tables(database: Database) -> None:
    def differences(conn: sa.Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return [d for d in compare_metadata(context, metadata) if "alembic_version" not in str(d)]

    async with database.connect() as conn:
        assert await conn.run_sync(differences) == []
