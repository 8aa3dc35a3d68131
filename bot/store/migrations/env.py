"""Alembic's environment. Migrations run on the connection that `Database.start()` hands
over in ``config.attributes["connection"]`` (also for ``medcode-bot db upgrade``), inside its
transaction, so a failed migration leaves the database as it was."""

from __future__ import annotations

from alembic import context

from bot.store.database import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations with `medcode-bot db upgrade` (it picks the database URL).")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE by copy on SQLite
)
with context.begin_transaction():
    context.run_migrations()
