"""Invoiced recoveries paid back: in parts or at once, recorded by a finance officer, shown on
the account's ledger with the balance, refused when they cannot be right (nothing saved), and
listed by age until paid."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.core.types import local_day_start, local_today
from dp_portal.payments import repayments
from dp_portal.payments.ledger_models import LedgerEntry, Recovery, RecoveryRepayment

from ..conftest import sign_in_as

TODAY = date(2026, 12, 3)


def _recovery(db_session, account, officer, *, pence=12000, method="invoice", days_ago=0):
    row = Recovery(
        account_id=account.id,
        amount_pence=pence,
        method=method,
        reason="Surplus above the contingency in the return",
        source="Return for 6 April 2026",
        created_by_id=officer.id,
        created_at=local_day_start(local_today() - timedelta(days=days_ago)),
    )
    db_session.add(row)
    db_session.flush()
    return row


def _pay(client, recovery, amount, on=None, method="bank_transfer"):
    on = on or local_today()
    return client.post(
        f"/recoveries/{recovery.id}/repayments",
        data={
            "amount": amount,
            "received_on": [str(on.day), str(on.month), str(on.year)],
            "method": method,
            "note": "Ref ABC",
        },
    )


def test_a_recovery_paid_in_two_parts_closes_and_the_ledger_shows_both(client, factory, db_session):
    officer = factory.user(Role.FINANCE_OFFICER)
    account = factory.account()
    recovery = _recovery(db_session, account, officer)
    sign_in_as(client, officer)
    assert _pay(client, recovery, "50.00").status_code == 302
    db_session.refresh(recovery)
    assert (recovery.recovered_pence, recovery.status) == (5000, "open")
    page = client.get(f"/recoveries/{recovery.id}").get_data(as_text=True)
    assert "£70.00" in page and "Record a payment received" in page
    assert _pay(client, recovery, "70.00", method="cheque").status_code == 302
    db_session.refresh(recovery)
    assert (recovery.recovered_pence, recovery.status) == (12000, "recovered")
    entries = db_session.execute(
        select(LedgerEntry.kind, LedgerEntry.amount_pence).where(
            LedgerEntry.account_id == account.id
        )
    ).all()
    assert sorted(entries) == [("recovery", -7000), ("recovery", -5000)]
    ledger = client.get(f"/accounts/{account.id}/ledger").get_data(as_text=True)
    assert ledger.count("Paid back to the council") >= 2
    assert "-£120.00" in ledger  # the balance after both: nothing paid in, £120 paid back
    closed = client.get(f"/recoveries/{recovery.id}").get_data(as_text=True)
    assert "Paid back in full" in closed and "Record a payment received" not in closed


@pytest.mark.parametrize(
    ("amount", "on", "message"),
    [
        ("120.01", None, "Enter no more than the £120.00 still owed"),
        ("10.00", date(2099, 1, 1), "must be today or in the past"),
        ("10.00", date(2020, 1, 1), "on or after the day the recovery was raised"),
    ],
)
def test_a_repayment_that_cannot_be_right_is_refused_and_nothing_saved(
    client, factory, db_session, amount, on, message
):
    officer = factory.user(Role.FINANCE_OFFICER)
    recovery = _recovery(db_session, factory.account(), officer)
    sign_in_as(client, officer)
    response = _pay(client, recovery, amount, on=on)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "There is a problem" in response.get_data(as_text=True)
    saved = db_session.execute(
        select(RecoveryRepayment).where(RecoveryRepayment.recovery_id == recovery.id)
    ).all()
    assert saved == [] and recovery.recovered_pence == 0


def test_recoveries_taken_from_payments_are_not_recorded_by_hand(client, factory, db_session):
    officer = factory.user(Role.FINANCE_OFFICER)
    recovery = _recovery(db_session, factory.account(), officer, method="offset")
    sign_in_as(client, officer)
    page = client.get(f"/recoveries/{recovery.id}").get_data(as_text=True)
    assert "Record a payment received" not in page
    response = _pay(client, recovery, "10.00")
    assert response.status_code == 400
    assert "taken from payments" in response.get_data(as_text=True)


def test_the_person_sees_what_they_owe_but_cannot_record_a_payment(client, factory, db_session):
    officer, person = factory.user(Role.FINANCE_OFFICER), factory.user(Role.RECIPIENT)
    account = factory.account()
    factory.access(person, account)
    recovery = _recovery(db_session, account, officer)
    sign_in_as(client, person)
    page = client.get(f"/recoveries/{recovery.id}").get_data(as_text=True)
    assert "£120.00" in page and "Record a payment received" not in page
    assert _pay(client, recovery, "10.00").status_code == 403


def test_the_aged_list_bands_what_is_owed_by_how_old_it_is(client, factory, db_session):
    officer = factory.user(Role.FINANCE_OFFICER)
    for days, pence in [(0, 1000), (30, 2000), (31, 4000), (61, 8000), (91, 16000), (400, 32000)]:
        _recovery(db_session, factory.account(), officer, pence=pence, days_ago=days)
    _recovery(db_session, factory.account(), officer, pence=64000, method="offset", days_ago=91)
    sign_in_as(client, officer)
    page = client.get("/recoveries/aged").get_data(as_text=True)
    # 0 and 30 days: £30.00; 31: £40.00; 61: £80.00; 91 and 400: £480.00; offsets left out.
    for band, owed in [
        ("Up to 30 days", "£30.00"),
        ("31 to 60 days", "£40.00"),
        ("61 to 90 days", "£80.00"),
        ("More than 90 days", "£480.00"),
    ]:
        assert f'{band}</th><td class="govuk-table__cell govuk-table__cell--numeric">' in page
        assert owed in page
    assert "£630.00" in page
    book = openpyxl.load_workbook(io.BytesIO(client.get("/recoveries/aged.xlsx").data))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6 and rows[0][-1] == "More than 90 days"
    assert sum(Decimal(str(row[5])) for row in rows) == Decimal("630.00")


def test_age_bands_at_their_edges():
    assert repayments.age_band(TODAY, TODAY) == "Up to 30 days"
    assert repayments.age_band(TODAY - timedelta(days=30), TODAY) == "Up to 30 days"
    assert repayments.age_band(TODAY - timedelta(days=31), TODAY) == "31 to 60 days"
    assert repayments.age_band(TODAY - timedelta(days=90), TODAY) == "61 to 90 days"
    assert repayments.age_band(TODAY - timedelta(days=91), TODAY) == "More than 90 days"


@given(
    owed=st.integers(min_value=1, max_value=10**8),
    paid=st.integers(min_value=-(10**8), max_value=10**8),
)
def test_a_repayment_is_accepted_only_when_it_is_some_or_all_of_what_is_owed(owed, paid):
    problem = repayments.repayment_problem(
        method="invoice",
        status="open",
        outstanding_pence=owed,
        amount_pence=paid,
        received_on=TODAY,
        raised_on=TODAY,
        today=TODAY,
    )
    assert (problem is None) == (0 < paid <= owed)
