"""A person's sub-ledger in a pooled client account: money in and out, never below zero,
corrections beside what they correct, sealed months, append-only lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from dp_portal.client_money import ledger
from dp_portal.client_money import services as money_services
from dp_portal.core.audit import AuditEvent
from dp_portal.core.errors import RuleError
from dp_portal.extensions import db
from dp_portal.third_party.money_models import (
    ClientBalance,
    ClientPosting,
    PooledReconciliation,
    PostingKind,
)

from .conftest import put


def _balance(office) -> ClientBalance:
    row = db.session.execute(
        select(ClientBalance).where(ClientBalance.account_id == office.account.id)
    ).scalar_one()
    db.session.refresh(row)
    return row


def test_money_in_and_out_keep_a_running_balance_with_the_right_signs(office):
    put(office, PostingKind.CONTRIBUTION, "500.00", date(2026, 11, 2))
    wages = put(office, PostingKind.PA_WAGES, "320.50", date(2026, 11, 9))
    fee = put(office, PostingKind.FEE, "12.00", date(2026, 11, 30))
    assert (wages.amount_pence, wages.balance_after_pence) == (-32050, 17950)
    assert (fee.amount, fee.balance_after) == (Decimal("-12.00"), Decimal("167.50"))
    assert _balance(office).balance == Decimal("167.50")
    assert (
        db.session.execute(
            select(func.count()).where(AuditEvent.action == "client_money.posted")
        ).scalar_one()
        == 3
    )


def test_a_payment_out_that_would_go_below_zero_is_refused_and_changes_nothing(office):
    put(office, PostingKind.CONTRIBUTION, "100.00", date(2026, 11, 2))
    with pytest.raises(RuleError, match=r"below zero: it is £100\.00 and this takes out £100\.01"):
        put(office, PostingKind.PROVIDER_INVOICE, "100.01", date(2026, 11, 3))
    assert _balance(office).balance_pence == 10000
    assert db.session.execute(select(func.count(ClientPosting.id))).scalar_one() == 1


def test_one_persons_money_is_never_used_for_another(office, factory):
    other = factory.account()
    factory.mandate(other, office.org)
    put(office, PostingKind.CONTRIBUTION, "900.00", date(2026, 11, 2))
    with pytest.raises(RuleError, match="below zero"):
        put(office, PostingKind.PA_WAGES, "1.00", date(2026, 11, 3), account=other)


def test_the_database_refuses_a_negative_balance_whatever_the_code_does(office):
    balance = ledger.balance_for(office.org.id, office.account.id)
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(
            ClientBalance.__table__.update()
            .where(ClientBalance.id == balance.id)
            .values(balance_pence=-1)
        )


def test_a_correction_is_a_new_line_that_names_the_line_it_corrects(office):
    put(office, PostingKind.CONTRIBUTION, "500.00", date(2026, 11, 2))
    wrong = put(office, PostingKind.PA_WAGES, "300.00", date(2026, 11, 9))
    data = {"amount": Decimal("250.00"), "entry_date": date(2026, 11, 10), "description": "typo"}
    fix = money_services.correct(office.viewer(), office.account.id, wrong.id, data)
    db.session.refresh(wrong)
    assert (wrong.amount_pence, fix.kind, fix.corrects_posting_id) == (
        -30000,
        "adjustment",
        wrong.id,
    )
    assert fix.amount == Decimal("50.00") and fix.balance_after == Decimal("250.00")
    with pytest.raises(RuleError, match="same as the line"):
        money_services.correct(
            office.viewer(), office.account.id, wrong.id, data | {"amount": Decimal("300")}
        )
    with pytest.raises(RuleError, match="original line"):
        money_services.correct(office.viewer(), office.account.id, fix.id, data)


def test_nothing_is_dated_in_a_month_sent_for_sign_off_or_signed_off(office):
    line = put(office, PostingKind.CONTRIBUTION, "500.00", date(2026, 10, 2))
    db.session.add(
        PooledReconciliation(
            organisation_id=office.org.id,
            month=date(2026, 10, 1),
            status="awaiting_sign_off",
            prepared_by_id=office.preparer.id,
        )
    )
    db.session.flush()
    with pytest.raises(RuleError, match="closed up to 31 October 2026"):
        put(office, PostingKind.FEE, "10.00", date(2026, 10, 31))
    with pytest.raises(RuleError, match="closed up to"):
        put(office, PostingKind.FEE, "10.00", date(2026, 9, 30))  # before it, too
    data = {"amount": Decimal("450"), "entry_date": date(2026, 10, 30), "description": "x"}
    with pytest.raises(RuleError, match="closed up to"):
        money_services.correct(office.viewer(), office.account.id, line.id, data)
    fixed = money_services.correct(
        office.viewer(), office.account.id, line.id, data | {"entry_date": date(2026, 11, 1)}
    )
    assert fixed.amount == Decimal("-50.00")


def test_lines_are_append_only_in_the_orm_and_in_the_database(office):
    line = put(office, PostingKind.CONTRIBUTION, "5.00", date(2026, 11, 2))
    line.amount_pence = 1
    with pytest.raises(Exception, match="never changed"):
        db.session.flush()
    db.session.rollback()
    line = put(office, PostingKind.CONTRIBUTION, "5.00", date(2026, 11, 2))
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text("UPDATE client_postings SET amount_pence = 1"))


def test_a_council_payment_or_a_correction_cannot_be_entered_on_the_form(office):
    data = {"kind": "council_payment", "amount": Decimal("1"), "entry_date": date(2026, 11, 2)}
    with pytest.raises(RuleError, match="Choose what the money was for"):
        money_services.enter(office.viewer(), office.account.id, data | {"description": "x"})


def test_a_batch_is_posted_whole_or_not_at_all_naming_the_line_that_fails(office, factory):
    from dp_portal.client_money.batch import Line, post_batch

    other = factory.account()
    factory.mandate(other, office.org)

    def line(account, kind, amount, day):
        return Line(account.id, ledger.Entry(kind, Decimal(amount), date(2026, 11, day), "x"))

    lines = [
        line(office.account, PostingKind.CONTRIBUTION, "100", 1),
        line(other, PostingKind.CONTRIBUTION, "10", 1),
        line(office.account, PostingKind.PA_WAGES, "90", 2),
        line(other, PostingKind.PA_WAGES, "10.01", 2),  # more than the person has
    ]
    with pytest.raises(
        RuleError, match=r"Line 4 \(x\) would take the balance below zero by £0\.01"
    ):
        post_batch(office.org.id, lines, actor=None, what="test")
    assert db.session.execute(select(func.count(ClientPosting.id))).scalar_one() == 0
    assert post_batch(office.org.id, lines[:3], actor=None, what="test") == 3
    assert _balance(office).balance_pence == 1000
