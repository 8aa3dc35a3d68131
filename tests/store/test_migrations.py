"""Migrations from an empty database, on both backends, build exactly the tables the code
declares (the old tips store's migration: tests/tips/test_legacy_migration.py)."""

from __future__ import annotations

import importlib
import pkgutil

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot
from bot.store import Database, metadata

# Every feature's tables module, so all their tables join `metadata` (a new one is found).
for _module in pkgutil.walk_packages(bot.__path__, "bot."):
    if _module.name.endswith(".tables"):
        importlib.import_module(_module.name)


async def test_migrations_build_exactly_the_declared_tables(database: Database) -> None:
    def differences(conn: sa.Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return [d for d in compare_metadata(context, metadata) if "alembic_version" not in str(d)]

    async with database.connect() as conn:
        assert await conn.run_sync(differences) == []
