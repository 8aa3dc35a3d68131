"""`Database`: one async engine, migrated to head on start, that fails soft.

The bot must come up and answer questions whatever the database does (a corrupt file, a
read-only directory, a lock held elsewhere, PostgreSQL down): `start()` turns any fault into
`StoreUnavailable`, a `UserError` whose message a member can read, and the features that need
the store say so and try again later (`ensure_started`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.errors import UserError

log = logging.getLogger(__name__)
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Constraint names are part of the schema (a migration drops or alters them by name), so they
# are derived the same way on every backend instead of being left to each database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

SQLITE_BUSY_TIMEOUT_MS = 5000
WAL_SWITCH_ATTEMPTS = 50  # 20 ms apart
MIGRATION_LOCK = 0x6D6564636F6465  # "medcode": PostgreSQL advisory lock key for migrations
CONNECT_TIMEOUT_S = 5.0


class StoreUnavailable(UserError):
    """The database cannot be used right now. `str()` is for members; `detail` for the log."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            "My database is unavailable right now, so this feature is paused. "
            "Everything else works; try this again in a few minutes."
        )


def _unavailable(error: BaseException) -> bool:
    """Whether an exception means "the database cannot be used now" rather than a bug."""
    if isinstance(error, OSError | TimeoutError | exc.OperationalError | exc.InterfaceError):
        return True
    if isinstance(error, exc.DBAPIError):
        # A disconnect, or SQLite's "file is not a database" / "disk image is malformed".
        return error.connection_invalidated or type(error) is exc.DatabaseError
    return False


def _describe(error: BaseException) -> str:
    if isinstance(error, StoreUnavailable):
        return error.detail
    text = str(getattr(error, "orig", None) or error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}".rstrip(": ")


def dialect_insert(conn: AsyncConnection | Connection, table: Table) -> Any:
    """The backend's INSERT, which has ``on_conflict_do_nothing`` / ``on_conflict_do_update``
    on both SQLite and PostgreSQL (the generic `insert` has neither)."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


class Database:
    """The bot's store: ``await db.start()`` (migrates), ``async with db.begin() as conn:``
    (a transaction), ``async with db.connect() as conn:`` (commit as you go), ``db.close()``.

    Every operation on a database that is down raises `StoreUnavailable`.
    """

    def __init__(self, url: str | URL) -> None:
        self.url = make_url(url)
        self.available = False
        self.last_error: str | None = None
        self._engine: AsyncEngine | None = None
        self._retry_at = 0.0
        self._backoff = 0.0
        self._disposing: asyncio.Future[None] | None = None
        self._starting = asyncio.Lock()

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.url.get_backend_name()

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect and apply every migration. Raises `StoreUnavailable` on any fault."""
        async with self._starting:  # one attempt at a time (start-up, a loop's retry...)
            if self.available:
                return
            try:
                self._engine = engine = self._engine or self._create_engine()
                async with engine.connect() as conn:  # usually up to date: no write lock
                    current = await conn.run_sync(_is_current)
                if not current:
                    async with engine.connect() as conn:
                        await conn.execution_options(medcode_immediate=True)
                        async with conn.begin():
                            await conn.run_sync(_upgrade)
            except Exception as error:
                self.last_error = _describe(error)
                await self._dispose()
                raise StoreUnavailable(self.last_error) from error
            self.available, self.last_error, self._backoff = True, None, 0.0
        log.info("database ready: %r", self)

    async def ensure_started(self) -> bool:
        """`start()` unless a failed attempt was too recent (backoff 5 s doubling to 5 min).
        For loops that need the store: the first call after the database is back wins."""
        if self.available:
            return True
        if time.monotonic() < self._retry_at:
            return False
        try:
            await self.start()
        except StoreUnavailable as error:
            self._backoff = min(max(self._backoff * 2, 5.0), 300.0)
            self._retry_at = time.monotonic() + self._backoff
            log.error("database unavailable (%s); next try in %.0f s", error.detail, self._backoff)
            return False
        return True

    async def close(self) -> None:
        self.available = False
        await self._dispose()

    async def _dispose(self) -> None:
        # One disposal however many callers (the bot closes twice on a signal): each waits
        # for it, so none returns while connections are still being closed.
        engine, self._engine = self._engine, None
        if engine is not None:
            self._disposing = asyncio.ensure_future(engine.dispose())
        if self._disposing is not None:
            try:
                await asyncio.shield(self._disposing)
            except Exception:  # closing a broken connection: nothing more to do
                log.debug("disposing of the engine failed", exc_info=True)

    def _create_engine(self) -> AsyncEngine:
        if self.backend == "sqlite":
            return _sqlite_engine(self.url)
        return create_async_engine(
            self.url, connect_args={"timeout": CONNECT_TIMEOUT_S}, pool_size=10
        )

    # -- use ------------------------------------------------------------------------------
    @asynccontextmanager
    async def begin(self, *, immediate: bool = False) -> AsyncIterator[AsyncConnection]:
        """A transaction: committed at the end of the block, rolled back on an exception.

        On SQLite, a transaction that reads before it writes needs `immediate` (it takes the
        write lock at once, waiting for it); else a concurrent writer makes its first write
        fail with "database is locked". Elsewhere `immediate` changes nothing.
        """
        engine = self._require()
        try:
            async with engine.connect() as conn:
                if immediate:
                    await conn.execution_options(medcode_immediate=True)
                async with conn.begin():
                    yield conn
        except Exception as error:
            if _unavailable(error):
                raise StoreUnavailable(_describe(error)) from error
            raise

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection without an explicit transaction (``await conn.commit()`` to keep
        writes); for reads."""
        engine = self._require()
        try:
            async with engine.connect() as conn:
                yield conn
        except Exception as error:
            if _unavailable(error):
                raise StoreUnavailable(_describe(error)) from error
            raise

    def _require(self) -> AsyncEngine:
        if not self.available or self._engine is None:
            raise StoreUnavailable(self.last_error or "the database was not started")
        return self._engine


def _sqlite_engine(url: URL) -> AsyncEngine:
    if url.database and url.database != ":memory:":
        try:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"cannot create the database's directory: {error}") from error
    # SQLite has one writer at a time: one connection per process, so this process's tasks
    # queue for it in asyncio, not in SQLite's sleeping busy handler. (Do not open a second
    # connection while holding one: nest through the `conn` you have.)
    engine = create_async_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=1,
        max_overflow=0,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (see _on_begin).
        try:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            _use_wal(cursor)  # readers never block the writer
            cursor.execute("PRAGMA synchronous = NORMAL")  # see README, "Storage"
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()
        except BaseException:
            # A corrupt file fails here. SQLAlchemy would leave the connection open, and its
            # aiosqlite thread would outlive the event loop ("Event loop is closed").
            dbapi_connection.close()
            raise

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # sqlite3 would begin only before DML, so a SELECT-then-UPDATE would not be one
        # transaction; an explicit BEGIN makes `db.begin()` mean what it says.
        immediate = conn.get_execution_options().get("medcode_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL (once: the mode is kept in the file). The switch takes a lock
    that SQLite's busy handler does not wait for, so processes starting together on a new
    file would fail at random: each tries again for up to a second. Only a new file waits;
    the bot is not serving yet when it opens its store."""
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() == "wal":
        return
    for _attempt in range(WAL_SWITCH_ATTEMPTS - 1):
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except Exception as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.02)
    cursor.execute("PRAGMA journal_mode = WAL")


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


def _is_current(conn: Connection) -> bool:
    """Whether the database is at the head revision already (a read, no lock)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_alembic_config(conn)).get_heads()
    return set(MigrationContext.configure(conn).get_current_heads()) == set(heads)


def _upgrade(conn: Connection) -> None:
    """Alembic's ``upgrade head`` on an open connection (run through ``conn.run_sync``)."""
    from alembic import command

    if conn.dialect.name == "postgresql":
        # Processes starting together on a new database: one migrates, the others wait for
        # it (until this transaction ends) and then find nothing to do. (On SQLite the
        # transaction began IMMEDIATE: the write lock does the same.)
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    command.upgrade(_alembic_config(conn), "head")
