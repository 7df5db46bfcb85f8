"""Alembic environment: the same numbered revisions run on SQLite (batch mode) and PostgreSQL."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db


def _options() -> dict:
    return {
        "target_metadata": db.metadata,
        "render_as_batch": True,  # SQLite rebuilds tables to alter them
        "compare_type": True,
        "compare_server_default": True,
    }


def run_migrations_offline() -> None:
    context.configure(url=str(db.engine.url), literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(ctx, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies a table to alter it and drops the old one; with foreign keys
            # enforced, that fails once other tables' rows refer to it. Alembic's advice: turn
            # enforcement off around the migration (it cannot change inside a transaction),
            # then check every reference still holds before turning it back on.
            # https://alembic.sqlalchemy.org/en/latest/batch.html
            # On the driver's own connection: SQLAlchemy would BEGIN first (dp_portal's hook).
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection, process_revision_directives=skip_empty, **_options()
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    # Checked before the commit, so a migration that breaks a reference is
                    # rolled back whole (SQLite's DDL is transactional).
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(
                            f"the migration left rows referring to nothing: {broken[:5]}"
                        )
        finally:
            if sqlite:
                _enforce_foreign_keys_again(connection)


def _enforce_foreign_keys_again(connection) -> None:
    """The pooled connection goes back enforcing foreign keys, whatever happened, or not at
    all. The migrations' own transaction has ended by now, but SQLAlchemy has begun another
    (alembic reads its version table after): SQLite ignores this pragma inside a transaction,
    and the connection went back to the pool not enforcing them, so the app's (and the test
    suite's) next requests on it wrote without the checks."""
    connection.rollback()
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=ON")
    if raw.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
        connection.invalidate()  # closed, not pooled: a new connection enforces them


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
