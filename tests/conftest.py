from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pgserver import LocalPostgres, postgres_bindir
from sqlalchemy.engine import make_url

from bot.engine import Engine
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.store import Database

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    return Engine(kb)


# --------------------------------------------------------------------------- databases
@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the session: $MEDCODE_TEST_POSTGRES_URL, else one started
    here. Skipped where PostgreSQL is not installed; under CI=true that is a failure."""
    if url := os.environ.get("MEDCODE_TEST_POSTGRES_URL"):
        yield url
        return
    bindir = postgres_bindir()
    if bindir is None:
        reason = "PostgreSQL binaries (initdb, pg_ctl) not found; install postgresql"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    server = LocalPostgres(bindir)
    try:
        yield server.start()
    finally:
        server.stop()


async def _postgres_admin(url: str, sql: str) -> None:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
async def fresh_postgres_url(postgres_url: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on the session's server, dropped afterwards."""
    name = f"medcode_test_{uuid.uuid4().hex[:12]}"
    await _postgres_admin(postgres_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _postgres_admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'medcode.sqlite3'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A started, migrated, empty `Database`, on each backend in turn."""
    db = Database(database_url)
    await db.start()
    try:
        yield db
    finally:
        await db.close()
