"""The store on both backends: migrated on start, types that mean the same, soft failure."""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.errors import UserError
from bot.store import Database, StoreUnavailable, UTCDateTime, dialect_insert, metadata

probe = sa.Table(
    "store_probe",
    sa.MetaData(),
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at", UTCDateTime),
    sa.Column("day", sa.Date),
    sa.Column("data", sa.JSON),
)


async def test_start_migrates_to_head(database: Database) -> None:
    async with database.connect() as conn:
        version = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar()
        tables = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    assert version is not None
    assert {"daily_schedules", "daily_posts", "tip_rotations"} <= tables


async def test_starting_twice_and_restarting_keep_the_data(database: Database) -> None:
    await database.start()  # already started: nothing happens
    async with database.begin() as conn:
        await conn.run_sync(probe.create)
        await conn.execute(sa.insert(probe).values(id=1))
    again = Database(database.url)
    await again.start()  # migrations already applied: a no-op
    async with again.connect() as conn:
        assert (await conn.execute(sa.select(probe.c.id))).scalar() == 1
    await again.close()


async def test_types_mean_the_same_on_both_backends(database: Database) -> None:
    big = 1_234_567_890_123_456_789  # a Discord id needs 64 bits
    local = datetime(2026, 3, 8, 3, 30, tzinfo=timezone(timedelta(hours=-4)))
    async with database.begin() as conn:
        await conn.run_sync(probe.create)
        await conn.execute(
            sa.insert(probe).values(id=big, at=local, day=date(2026, 3, 8), data={"a": [1, "b"]})
        )
        row = (await conn.execute(sa.select(probe))).one()
    assert row.id == big
    assert row.at == local and row.at.tzinfo is UTC  # aware, in UTC
    assert row.day == date(2026, 3, 8)
    assert row.data == {"a": [1, "b"]}


async def test_naive_instants_are_refused(database: Database) -> None:
    async with database.begin() as conn:
        await conn.run_sync(probe.create)
    with pytest.raises(sa.exc.StatementError, match="naive"):
        async with database.begin() as conn:
            await conn.execute(sa.insert(probe).values(id=1, at=datetime(2026, 1, 1)))


async def test_insert_on_conflict_works_on_both_backends(database: Database) -> None:
    async with database.begin() as conn:
        await conn.run_sync(probe.create)
        first = await conn.execute(
            dialect_insert(conn, probe).values(id=1).on_conflict_do_nothing().returning(probe.c.id)
        )
        second = await conn.execute(
            dialect_insert(conn, probe).values(id=1).on_conflict_do_nothing().returning(probe.c.id)
        )
        assert first.scalar() == 1 and second.scalar() is None


def test_metadata_names_constraints_the_same_everywhere() -> None:
    assert metadata.naming_convention["pk"] == "pk_%(table_name)s"


async def test_sqlite_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'new' / 'dir' / 'x.sqlite3'}")
    await db.start()  # creates the directories
    async with db.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
        assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 5000
    await db.close()


# --------------------------------------------------------------------------- faults (D7)
async def expect_unavailable(url: str) -> StoreUnavailable:
    db = Database(url)
    with pytest.raises(StoreUnavailable) as caught:
        await db.start()
    assert not db.available
    with pytest.raises(StoreUnavailable):
        async with db.connect():
            pass
    await db.close()
    assert isinstance(caught.value, UserError)
    assert "unavailable" in str(caught.value)  # for members: no paths, no driver text
    return caught.value


async def test_a_corrupt_sqlite_file_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(os.urandom(65536))
    error = await expect_unavailable(f"sqlite+aiosqlite:///{path}")
    assert "not a database" in error.detail


async def test_a_directory_in_place_of_the_file_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "db.sqlite3").mkdir()
    await expect_unavailable(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")


async def test_an_uncreatable_directory_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    error = await expect_unavailable(f"sqlite+aiosqlite:///{tmp_path / 'file' / 'db.sqlite3'}")
    assert "directory" in error.detail


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
async def test_a_read_only_directory_is_unavailable(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        await expect_unavailable(f"sqlite+aiosqlite:///{ro / 'db.sqlite3'}")
    finally:
        ro.chmod(stat.S_IRWXU)


async def test_postgres_down_is_unavailable() -> None:
    with socket_on_a_free_port() as port:
        pass  # closed again: nothing listens there
    error = await expect_unavailable(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/x")
    assert "Connect" in error.detail or "refused" in error.detail.lower()


def socket_on_a_free_port():  # type: ignore[no-untyped-def]
    import contextlib
    import socket

    @contextlib.contextmanager
    def bound():  # type: ignore[no-untyped-def]
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            yield sock.getsockname()[1]

    return bound()


async def test_ensure_started_recovers_when_the_database_does(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.mkdir()  # in the way: unavailable
    db = Database(f"sqlite+aiosqlite:///{path}")
    assert not await db.ensure_started()
    assert not await db.ensure_started()  # backing off: not even tried
    path.rmdir()
    db._retry_at = 0  # the backoff has passed
    assert await db.ensure_started()
    assert db.available
    await db.close()


# --------------------------------------------------------------------------- settings, CLI
def test_the_database_url_setting_and_the_old_path_setting(tmp_path: Path) -> None:
    from bot.settings import DEFAULT_DATABASE_URL, Settings

    assert Settings(_env_file=None).database_url == DEFAULT_DATABASE_URL
    old = Settings(_env_file=None, database_path=tmp_path / "x.sqlite3")
    assert old.database_url == f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"
    both = Settings(
        _env_file=None, database_path="ignored", database_url="postgresql+asyncpg://h/d"
    )
    assert both.database_url == "postgresql+asyncpg://h/d"


def run_cli(monkeypatch: pytest.MonkeyPatch, url: str, *argv: str) -> int:
    from bot import cli
    from bot.settings import get_settings

    monkeypatch.setenv("MEDCODE_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        return cli.main(list(argv))
    finally:
        get_settings.cache_clear()


def test_db_upgrade_migrates_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'm.sqlite3'}"
    assert run_cli(monkeypatch, url, "db", "upgrade") == 0
    assert "is up to date" in capsys.readouterr().out
    assert (tmp_path / "data" / "m.sqlite3").exists()


def test_db_upgrade_of_a_corrupt_file_is_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.sqlite3").write_bytes(b"garbage" * 10000)
    assert (
        run_cli(monkeypatch, f"sqlite+aiosqlite:///{tmp_path / 'bad.sqlite3'}", "db", "upgrade")
        == 1
    )
    err = capsys.readouterr().err
    assert "Could not upgrade" in err and "not a database" in err and "Traceback" not in err


async def test_processes_starting_together_on_a_new_database_all_come_up(
    database_url: str,
) -> None:
    """Several bot processes started at once on an empty database: one migrates, the others
    wait for it (PostgreSQL: an advisory lock; SQLite: the write lock), none fails."""
    import asyncio

    dbs = [Database(database_url) for _ in range(3)]
    await asyncio.gather(*(db.start() for db in dbs))
    assert all(db.available for db in dbs)
    for db in dbs:
        await db.close()


async def test_a_new_file_locked_for_a_moment_still_comes_up(tmp_path: Path) -> None:
    """Another process holds a new file's write lock while this one opens it: switching the
    file to WAL is refused at once (SQLite's busy handler does not wait for it), so the
    start-up tries again rather than failing at random beside a sibling process."""
    import sqlite3
    import threading

    path = tmp_path / "db.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE x (a)").connection.close()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.2, holder.rollback)
    release.start()
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.start()
        assert db.available
    finally:
        release.join()
        holder.close()
        await db.close()


async def test_a_write_lock_held_elsewhere_does_not_stop_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D7: an up-to-date database needs no write lock to start; a new one waits for the lock
    (here 50 ms), then is unavailable, not a crash."""
    import sqlite3

    import bot.store.database

    monkeypatch.setattr(bot.store.database, "SQLITE_BUSY_TIMEOUT_MS", 50)
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    first = Database(url)
    await first.start()
    await first.close()
    holder = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        again = Database(url)
        await again.start()  # migrated already: reads only
        await again.close()
        new = tmp_path / "new.sqlite3"
        sqlite3.connect(new).execute("CREATE TABLE x (a)").connection.close()
        locker = sqlite3.connect(new, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        error = await expect_unavailable(f"sqlite+aiosqlite:///{new}")
        assert "locked" in error.detail
        locker.rollback()
    finally:
        holder.rollback()
        holder.close()
