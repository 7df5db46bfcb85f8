"""The release step every host runs as it starts (`make prod`, `make prod-scheduler`): bring the
database up to date (`flask db upgrade`), then add the handbook's new default sections (`flask dp
handbook-defaults`). One host at a time: on PostgreSQL the step holds an advisory lock, so when
two web hosts and the scheduler start together after an upgrade, the first migrates and the
others wait for it and find nothing left to do (two at once would both try to create the same
tables, and one would fail to start).

Run from the project folder: `python -m deploy.release`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from dp_portal import create_app
from dp_portal.employers.handbook_defaults import load_defaults
from dp_portal.extensions import db

# Apart from the scheduler's and the jobs' keys (7_431_000 and up, dp_portal/*).
RELEASE_LOCK_KEY = 7_431_900


@contextmanager
def one_host_at_a_time(app: Flask) -> Iterator[None]:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        yield  # SQLite serves one host: there is nobody to wait for
        return
    # A connection of its own, outside any transaction, holding the lock while the migrations
    # run on others; the lock goes with the connection if this process dies.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": RELEASE_LOCK_KEY})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": RELEASE_LOCK_KEY})


def release(app: Flask) -> tuple[str, list[str]]:
    """Migrate and load the handbook's defaults; (the database's revision, sections added)."""
    with one_host_at_a_time(app), app.app_context():
        upgrade()
        added = load_defaults()
        db.session.commit()
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(revision), added


def main() -> None:
    revision, added = release(create_app())
    print(f"Database up to date (revision {revision}).")
    if added:
        print(f"Added {len(added)} handbook sections: {', '.join(added)}.")


if __name__ == "__main__":
    main()
