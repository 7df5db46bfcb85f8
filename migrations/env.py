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
        context.configure(
            connection=connection, process_revision_directives=skip_empty, **_options()
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
