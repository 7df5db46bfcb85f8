"""Scheduled payment (issue 14): while an ISF agreement is in force on a period's first day,
the payment run pays the provider's approved bank account for the planned hours at the
agreed rate, 4-weekly in advance, with the payee snapshot and the runs' own approval; a
provider paid on invoice, or with no approved account, is withheld with the reason."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.extensions import db
from dp_portal.isf import services as isf_services
from dp_portal.isf import statement
from dp_portal.isf.models import IsfAgreement
from dp_portal.payments import run_decisions, run_review
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.run_models import RunLine

from ..payments.test_run_controls import _build
from .helpers import agreement, funded_account, in_force, living_wage, provider


@pytest.fixture
def officers(app_ctx, factory, db_session):
    living_wage(db_session)
    return factory.user(Role.FINANCE_OFFICER), factory.user(Role.FINANCE_OFFICER)


def _line(run, account) -> RunLine:
    return db.session.execute(
        select(RunLine).where(RunLine.run_id == run.id, RunLine.account_id == account.id)
    ).scalar_one()


def test_the_run_pays_the_provider_planned_hours_at_the_agreed_rate(officers, factory):
    builder, approver = officers
    org, account, _row, _version = in_force(factory)
    run = _build(0, builder)
    line = _line(run, account)
    assert (line.outcome, line.payee_type) == ("pay", "organisation")
    assert (line.payee_name, line.sort_code, line.account_number) == (
        "CARRICK CARE",
        "309634",
        "00733445",
    )
    assert line.payee_reference == f"{account.reference} 06APR26"
    assert line.amount_pence == 10 * 2250 * 4  # 10 hours a week x £22.50, 4 weeks in advance
    assert run_review.stale_reasons(run) == []  # the provider's snapshot is where money goes
    run_decisions.approve_run(run, actor=approver)
    run_decisions.commit_run(run.id, actor=approver)
    payment = db.session.execute(select(Payment)).scalar_one()
    assert (payment.sort_code, payment.amount_pence) == ("309634", 90000)
    home = statement.provider_home(org, date(2026, 4, 10))
    assert [p.id for p in home.payments] == [payment.id]


def test_a_provider_paid_on_its_invoices_is_not_paid_on_the_schedule(officers, factory):
    builder, _approver = officers
    org, account, _row, _version = in_force(factory, payment_basis="invoice")
    line = _line(_build(0, builder), account)
    assert line.outcome == "withhold"
    assert (
        line.reason
        == f"Paid to {org.name} on its invoices of delivered hours (individual service fund)"
    )


def test_a_provider_without_an_approved_account_is_not_paid(officers, factory):
    builder, _approver = officers
    org = provider(factory, bank=False)
    _org, account, _row, _version = in_force(factory, org=org)
    line = _line(_build(0, builder), account)
    assert line.outcome == "withhold"
    assert "has no approved bank account" in line.reason
    assert line.payee_name == "A PERSON"  # the person's own account is never paid instead


def test_an_agreement_waiting_for_confirmations_changes_nothing(officers, factory):
    builder, _approver = officers
    org = provider(factory)
    account, budget, line_ = funded_account(factory, org)
    agreement(factory, account, org, budget, line_)
    line = _line(_build(0, builder), account)
    assert (line.payee_type, line.payee_name) == ("person", "A PERSON")


def test_an_agreement_confirmed_after_the_run_was_built_makes_it_stale(officers, factory):
    builder, _approver = officers
    org = provider(factory)
    account, budget, line_ = funded_account(factory, org)
    row, _version = agreement(factory, account, org, budget, line_)
    run = _build(0, builder)
    person = factory.user(Role.RECIPIENT)
    factory.access(person, account)
    row = db.session.get(IsfAgreement, row.id)
    for user in (person, factory.user(Role.PROVIDER_STAFF, organisation_id=org.id), builder):
        isf_services.confirm(row, actor=user)
    assert any("individual service fund" in reason for reason in run_review.stale_reasons(run))


def test_a_money_management_mandate_and_an_agreement_together_are_withheld(officers, factory):
    builder, _approver = officers
    _org, account, _row, _version = in_force(factory)
    factory.mandate(
        account,
        factory.organisation(
            kind="money_management",
            pooled_payee_name="MMS",
            pooled_sort_code="089999",
            pooled_account_number="66374958",
        ),
        scope="manage_money",
        starts_on=date(2026, 1, 1),
    )
    line = _line(_build(0, builder), account)
    assert line.outcome == "withhold" and "both in force" in line.reason
