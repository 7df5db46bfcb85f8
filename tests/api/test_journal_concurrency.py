"""The journal's cursor holds when entries are written at the same moment as it is read.

On PostgreSQL an entry's id is handed out when it is inserted but the entry appears when its
transaction commits, so a payment run still committing can hold id 100 while a correction
with id 101 is already visible. A reader that was given a cursor past 101 would never see 100.
The journal waits for writers first (journal.py): here a reader meets an entry still being
written, is told to try again shortly (503), and then reads both entries in order.

Runs on a scratch PostgreSQL database with real commits (the rolled-back test transaction
cannot show two connections racing).
"""

from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from dp_portal import create_app
from dp_portal.api import clients, journal
from dp_portal.api.rules import Scope
from dp_portal.auth.models import Role
from dp_portal.extensions import db

from ..conftest import _TMP, database_url_for_tests, make_config, scratch_database
from ..factories import Factory
from .conftest import bearer

pytestmark = pytest.mark.skipif(
    not database_url_for_tests().startswith("postgresql"),
    reason="SQLite has one writer at a time: its entries always commit in id order",
)

INSERT = text(
    "INSERT INTO ledger_entries (account_id, entry_date, kind, amount_pence, description, "
    "created_at) VALUES (:account, :day, 'adjustment', :pence, 'Correction', now()) RETURNING id"
)


@pytest.fixture
def scratch(monkeypatch):
    url, drop = scratch_database("journal-race")
    app = create_app(make_config(url, _TMP / "journal-race-instance"))
    with app.app_context():
        upgrade()
        factory = Factory(db.session)
        account_id = factory.account().id
        token = clients.create_client(
            "Finance", {Scope.LEDGER_READ}, actor=factory.user(Role.ADMIN)
        ).token
        db.session.commit()
    monkeypatch.setattr(journal, "LOCK_WAIT_SECONDS", 1)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        yield app, engine, account_id, token
    finally:
        engine.dispose()
        with app.app_context():
            db.engine.dispose()
        drop()


def test_a_reader_never_passes_an_entry_still_being_written(scratch):
    app, engine, account_id, token = scratch
    client = app.test_client()
    values = {"account": account_id, "day": date(2026, 4, 2)}
    with engine.connect() as slow, engine.connect() as quick:
        slow.begin()
        earlier = slow.execute(INSERT, values | {"pence": 100}).scalar_one()
        with quick.begin():
            later = quick.execute(INSERT, values | {"pence": 200}).scalar_one()
        assert earlier < later  # the later id is visible while the earlier one is not yet

        busy = client.get("/api/v1/journal", headers=bearer(token))
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert busy.mimetype == "application/problem+json"
        slow.commit()

    read = client.get("/api/v1/journal", headers=bearer(token)).get_json()
    assert [e["id"] for e in read["entries"]] == [earlier, later]
