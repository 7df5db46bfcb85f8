"""Two members of staff pay out of the same person's sub-ledger at the same moment: only the
money that is there is spent, once.

Runs on a scratch PostgreSQL database with real commits (the rolled-back test transaction
cannot show two connections racing). The first posting holds the balance row's lock until it
commits; the second must wait for it, then see the balance the first one left, and be refused.
Without the lock the second reads the old balance, and both payments go out of £100.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from dp_portal import create_app
from dp_portal.auth.models import Role, User
from dp_portal.client_money import ledger
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.third_party.money_models import ClientBalance, ClientPosting, PostingKind

from ..conftest import _TMP, database_url_for_tests, make_config, scratch_database
from ..factories import Factory

pytestmark = pytest.mark.skipif(
    not database_url_for_tests().startswith("postgresql"),
    reason="row locks: SQLite has one writer at a time (ledger.lock_balance takes it first)",
)


def _wages(balance_id: int, user_id: int) -> None:
    user = db.session.get(User, user_id)
    balance = db.session.get(ClientBalance, balance_id)
    entry = ledger.Entry(PostingKind.PA_WAGES, Decimal("60.00"), date(2026, 11, 9), "Wages")
    ledger.post(balance, entry, actor=user)


def _wait_until_someone_waits_for_a_lock(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            for _ in range(400):  # up to 20 seconds: a wait, not an assertion about timing
                waiting = connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
                if waiting:
                    return
                time.sleep(0.05)
        raise AssertionError("the second posting never reached the balance row")
    finally:
        engine.dispose()


def race(app, url: str, first, second) -> dict[str, object]:
    """Two members of staff at once: `first` runs and holds its locks, uncommitted, until
    `second` (in another session) is waiting for one of them; then the first commits and the
    second goes on. Each one's result, or the RuleError it met (its work rolled back)."""
    first_done, first_may_commit = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def run(name, work, before_commit=lambda: None):
        with app.app_context():
            try:
                outcomes[name] = work()
                before_commit()
                db.session.commit()
            except RuleError as exc:
                db.session.rollback()
                outcomes[name] = str(exc)

    def hold():
        first_done.set()
        first_may_commit.wait(30)

    one = threading.Thread(target=run, args=("first", first, hold))
    one.start()
    assert first_done.wait(30)
    two = threading.Thread(target=run, args=("second", second))
    two.start()
    _wait_until_someone_waits_for_a_lock(url)
    first_may_commit.set()
    one.join(30)
    two.join(30)
    return outcomes


def test_two_payments_out_at_once_spend_only_what_is_there():
    url, drop = scratch_database("postings")
    app = create_app(make_config(url, _TMP / "postings-instance"))
    try:
        with app.app_context():
            upgrade()
            factory = Factory(db.session)
            org = factory.organisation(kind="money_management")
            staff = [factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id) for _ in "ab"]
            account = factory.account()
            factory.mandate(account, org)
            balance = ledger.balance_for(org.id, account.id)
            entry = ledger.Entry(PostingKind.CONTRIBUTION, Decimal("100"), date(2026, 11, 2), "In")
            ledger.post(balance, entry, actor=staff[0])
            db.session.commit()
            balance_id, user_ids = balance.id, [s.id for s in staff]

        outcomes = race(
            app,
            url,
            lambda: _wages(balance_id, user_ids[0]) or "posted",
            lambda: _wages(balance_id, user_ids[1]) or "posted",
        )

        assert outcomes["first"] == "posted"
        assert outcomes["second"].startswith("This would take the balance below zero: it is £40")
        with app.app_context():
            row = db.session.get(ClientBalance, balance_id)
            total = db.session.execute(
                select(func.sum(ClientPosting.amount_pence)).where(
                    ClientPosting.balance_id == balance_id
                )
            ).scalar_one()
            assert (row.balance_pence, total) == (4000, 4000)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
