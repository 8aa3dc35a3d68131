"""The one store: SQLAlchemy Core (asyncio) on SQLite or PostgreSQL, migrated by Alembic.

    from bot.store import Database, StoreUnavailable, metadata

Features keep their tables in their own module on `metadata` (`bot/tips/tables.py`, ...) and
a repository class with one method per operation. See README.md, "Storage".
"""

from bot.store.database import Database, StoreUnavailable, dialect_insert, metadata
from bot.store.types import UTCDateTime

__all__ = ["Database", "StoreUnavailable", "UTCDateTime", "dialect_insert", "metadata"]
