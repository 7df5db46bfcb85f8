"""A committed run's postings to managed people read the run's payments from the mandates'
side: a council's run pays 92,000 people, and the 9,000 whose money an organisation manages
are found through their accounts' index, not by reading every payment of the run."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.dialects import postgresql

from dp_portal.client_money import run_postings
from dp_portal.extensions import db
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.run_models import PaymentRun
from dp_portal.third_party.models import Mandate


def _managed_payments(factory):
    officer = factory.user()
    run = PaymentRun(
        period_index=0,
        period_start=date(2026, 4, 6),
        period_end=date(2026, 5, 3),
        pay_date=date(2026, 4, 6),
        built_by_id=officer.id,
    )
    db.session.add(run)
    db.session.flush()
    return run_postings._managed(run.id, Mandate.organisation_id, Payment.account_id)


def test_sqlite_reads_the_mandates_first_and_each_payment_by_its_account(app_ctx, factory):
    statement = _managed_payments(factory)
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("SQLite's join order (PostgreSQL plans from its statistics)")
    compiled = statement.compile(dialect=connection.dialect)
    parameters = tuple(compiled.params[name] for name in compiled.positiontup)
    plan = [
        row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", parameters)
    ]
    assert plan[0].startswith("SCAN mandates"), plan
    assert "ix_payments_account_pay_date (account_id=? AND pay_date=?)" in plan[1], plan


def test_postgresql_is_given_the_same_join_as_an_ordinary_one(app_ctx, factory):
    """A CROSS JOIN with its conditions in WHERE: PostgreSQL plans it as the inner join it is."""
    sql = str(_managed_payments(factory).compile(dialect=postgresql.dialect()))
    assert "FROM mandates CROSS JOIN payments" in sql
    assert "WHERE mandates.account_id = payments.account_id" in sql
