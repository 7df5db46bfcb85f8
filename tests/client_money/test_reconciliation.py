"""The monthly pooled reconciliation: to the penny, every difference explained, signed off
by a second member of staff, and sealed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from dp_portal.client_money import reconcile as money_reconcile
from dp_portal.client_money import reconciliation
from dp_portal.client_money.reconciliation import TRANSITIONS, RecStatus
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.run_models import PaymentRun
from dp_portal.third_party.money_models import PostingKind

from .conftest import put


def test_the_lifecycle_table_allows_exactly_these_moves():
    moves = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert moves == {
        ("open", "awaiting_sign_off"),
        ("awaiting_sign_off", "open"),
        ("awaiting_sign_off", "signed_off"),
    }
    assert set(TRANSITIONS) == set(RecStatus)


def _october(office):
    put(office, PostingKind.CONTRIBUTION, "1000.00", date(2026, 10, 1))
    put(office, PostingKind.PA_WAGES, "400.00", date(2026, 10, 15))
    return money_reconcile.start_month(office.viewer(), "2026-10-01")


def test_a_month_reconciles_to_the_penny_with_each_difference_explained(office):
    rec = _october(office)
    viewer = office.viewer()
    page = money_reconcile.month_page(viewer, rec)
    assert page.problems == ["Enter the bank statement's closing balance"]
    money_reconcile.enter_closing(viewer, rec, Decimal("650.00"))  # wages not yet cleared £400,
    page = money_reconcile.month_page(viewer, rec)  # and a £50 bank line nobody has posted
    assert [(line.label, line.amount) for line in page.figures.working] == [
        ("Sub-ledgers at the month's end (1 person)", Decimal("600.00")),
        ("Bank statement closing balance", Decimal("650.00")),
        ("Statement less sub-ledgers", Decimal("50.00")),
        ("Differences listed below", Decimal("0.00")),
        ("Left to explain", Decimal("50.00")),
    ]
    with pytest.raises(RuleError, match="list every difference"):
        money_reconcile.send_for_sign_off(viewer, rec)
    money_reconcile.add_difference(
        viewer,
        rec,
        {
            "kind": "statement_line_not_in_ledger",
            "amount": Decimal("50.00"),
            "description": "Credit 30 Oct, 'REFUND'",
            "explanation": "A provider's refund: posted to the client in November",
        },
    )
    assert money_reconcile.month_page(viewer, rec).figures.unexplained == 0
    money_reconcile.send_for_sign_off(viewer, rec)
    assert (rec.status, rec.ledger_total_pence) == ("awaiting_sign_off", 60000)


def test_whoever_prepared_a_month_cannot_sign_it_off_and_a_second_person_seals_it(office):
    rec = _october(office)
    money_reconcile.enter_closing(office.viewer(), rec, Decimal("600.00"))
    money_reconcile.send_for_sign_off(office.viewer(), rec)
    with pytest.raises(RuleError, match="second member of staff"):
        money_reconcile.sign_off(office.viewer(), rec)
    money_reconcile.sign_off(office.viewer(office.checker), rec)
    assert rec.status == "signed_off" and rec.signed_off_by_id == office.checker.id
    with pytest.raises(RuleError, match="closed up to 31 October 2026"):
        put(office, PostingKind.FEE, "1.00", date(2026, 10, 31))
    with pytest.raises(RuleError, match="Only a month waiting"):
        money_reconcile.send_back(office.viewer(office.checker), rec, "again")


def test_the_database_refuses_a_sign_off_by_the_preparer(office):
    rec = _october(office)
    rec.status, rec.prepared_by_id = "signed_off", office.preparer.id
    rec.signed_off_by_id, rec.signed_off_at = office.preparer.id, rec.created_at
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.flush()


def test_sending_back_reopens_the_month_with_the_reason(office):
    rec = _october(office)
    money_reconcile.enter_closing(office.viewer(), rec, Decimal("600.00"))
    money_reconcile.send_for_sign_off(office.viewer(), rec)
    money_reconcile.send_back(office.viewer(office.checker), rec, "Check the wages line")
    assert (rec.status, rec.returned_note, rec.prepared_by_id) == (
        "open",
        "Check the wages line",
        None,
    )
    put(office, PostingKind.FEE, "1.00", date(2026, 10, 31))  # open again


def test_a_month_not_yet_ended_cannot_be_sent(office):
    put(office, PostingKind.CONTRIBUTION, "10.00", date(2026, 12, 1))
    rec = reconciliation.PooledReconciliation(
        organisation_id=office.org.id, month=date(2026, 12, 1), status="open"
    )
    db.session.add(rec)
    db.session.flush()
    problems = money_reconcile.month_page(office.viewer(), rec).problems
    assert "The month has not ended yet: reconcile it once it has" in problems


def test_council_payments_in_the_councils_records_but_in_no_sub_ledger_are_listed(office):
    run = PaymentRun(
        period_index=0,
        period_start=date(2026, 10, 5),
        period_end=date(2026, 11, 1),
        pay_date=date(2026, 10, 2),
        status="committed",
        built_by_id=office.preparer.id,
    )
    db.session.add(run)
    db.session.flush()
    db.session.add(
        Payment(
            account_id=office.account.id,
            run_id=run.id,
            period_index=0,
            period_start=run.period_start,
            period_end=run.period_end,
            payee_type="organisation",
            amount_pence=123456,
            pay_date=run.pay_date,
            breakdown_json="{}",
        )
    )
    db.session.flush()
    rec = money_reconcile.start_month(office.viewer(), "2026-10-01")
    page = money_reconcile.month_page(office.viewer(), rec)
    assert page.figures.council_paid == Decimal("1234.56")
    assert page.figures.council_posted == Decimal("0.00")
    [item] = page.differences.items
    assert (item.kind, item.amount, item.explanation) == (
        "council_payment_not_posted",
        Decimal("1234.56"),
        None,
    )
    assert "Explain every difference" in page.problems
