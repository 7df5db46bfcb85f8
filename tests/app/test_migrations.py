"""The migrations and the models describe the same schema, and migrations run both ways."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from dp_portal import create_app
from dp_portal.extensions import db

from ..conftest import _TMP, make_config, scratch_database


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models differ from migrations: {differences}"


def test_migrations_have_one_head_numbered_in_order():
    folder = os.path.join(os.path.dirname(__file__), "..", "..", "migrations", "versions")
    names = sorted(n for n in os.listdir(folder) if n.endswith(".py"))
    assert names and all(n[:4].isdigit() for n in names)
    assert [int(n[:4]) for n in names] == list(range(1, len(names) + 1))


def test_downgrade_to_nothing_and_upgrade_again():
    scratch_url, cleanup = scratch_database("scratch")
    app = create_app(make_config(scratch_url, _TMP / "scratch-instance"))
    try:
        with app.app_context():
            upgrade()
            assert "audit_events" in inspect(db.engine).get_table_names()
            downgrade(revision="base")
            assert inspect(db.engine).get_table_names() == ["alembic_version"]
            upgrade()
            assert "accounts" in inspect(db.engine).get_table_names()
            db.engine.dispose()
    finally:
        cleanup()


def test_every_downgrade_keeps_a_council_with_people_in_it():
    """An operator stepping back an upgrade has people and accounts in the database: each
    downgrade works with rows in the tables that others refer to, down to the first schema."""
    from ..factories import Factory

    scratch_url, cleanup = scratch_database("downgrade-data")
    app = create_app(make_config(scratch_url, _TMP / "downgrade-data-instance"))
    try:
        with app.app_context():
            upgrade()
            reference = Factory(db.session).account().reference
            db.session.commit()
            downgrade(revision="0001")
            upgrade()
            found = db.session.execute(
                db.text("SELECT count(*) FROM accounts WHERE reference = :r"), {"r": reference}
            ).scalar()
            assert found == 1
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


def test_after_migrating_the_app_still_refuses_a_row_that_refers_to_nothing():
    """SQLite's migrations switch foreign keys off around their table copies. The connection
    they used goes back to the pool, and the app's next request gets it: it must enforce
    them again (it once did not, so the SQLite suite ran without the checks)."""
    scratch_url, cleanup = scratch_database("keys-after-migrating")
    app = create_app(make_config(scratch_url, _TMP / "keys-after-migrating-instance"))
    try:
        with app.app_context():
            upgrade()
            with pytest.raises(IntegrityError), db.engine.begin() as connection:
                connection.execute(
                    db.text(
                        "INSERT INTO ledger_entries (account_id, entry_date, kind, amount_pence,"
                        " description, created_at) VALUES (987654, '2026-12-04', 'payment', 1,"
                        " 'nobody', '2026-12-04 00:00:00')"
                    )
                )
            db.engine.dispose()
    finally:
        cleanup()


def test_a_new_sqlite_database_is_made_with_large_pages_in_wal_mode(app):
    """A council's run writes 100,000 rows of a few hundred bytes each in one go: the app's
    SQLite file is laid out in 16 KiB pages (its 4 KiB default measured slower, see
    docs/benchmarks.md) and logged ahead (readers do not wait for the writer)."""
    from dp_portal import SQLITE_PAGE_SIZE

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's page size and journal")
        with db.engine.connect() as connection:
            page = connection.exec_driver_sql("PRAGMA page_size").scalar()
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert (page, journal) == (SQLITE_PAGE_SIZE, "wal") and SQLITE_PAGE_SIZE == 16_384
