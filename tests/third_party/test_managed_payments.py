"""While a "manage the money" mandate is in force, payment runs pay the organisation's
pooled client account with the person's reference, and the run's payee snapshot shows it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.extensions import db
from dp_portal.payments import run_decisions, run_review, services
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.rates import RateKind
from dp_portal.payments.run_models import RunLine
from dp_portal.third_party import org_services
from dp_portal.third_party.models import Organisation

from ..payments.test_run_controls import _build, _paid_account


@pytest.fixture
def officers(app_ctx, factory):
    builder, approver = (factory.user(Role.FINANCE_OFFICER) for _ in range(2))
    leader = factory.user(Role.TEAM_LEADER)
    services.add_rate_row(
        RateKind.LIVING_WAGE, date(2025, 4, 1), Decimal("12.60"), "t", actor=leader
    )
    db.session.flush()
    return builder, approver, leader


def _pooled_org(factory, **kw) -> Organisation:
    kw.setdefault("pooled_payee_name", "MMS CLIENT AC")
    kw.setdefault("pooled_sort_code", "309634")
    kw.setdefault("pooled_account_number", "00733445")
    return factory.organisation(kind="money_management", **kw)


def _line(run) -> RunLine:
    return db.session.execute(select(RunLine).where(RunLine.run_id == run.id)).scalar_one()


def test_a_managed_account_is_paid_into_the_pooled_account_with_its_reference(officers, factory):
    builder, approver, leader = officers
    account = _paid_account(factory, leader)
    org = _pooled_org(factory)
    factory.mandate(account, org, scope="manage_money", starts_on=date(2026, 1, 1))
    run = _build(0, builder)
    line = _line(run)
    assert (line.payee_type, line.outcome) == ("organisation", "pay")
    assert (line.payee_name, line.sort_code, line.account_number) == (
        "MMS CLIENT AC",
        "309634",
        "00733445",
    )
    assert line.payee_reference == f"{account.reference} 06APR26"
    run_decisions.approve_run(run, actor=approver)
    run_decisions.commit_run(run.id, actor=approver)
    payment = db.session.execute(select(Payment)).scalar_one()
    assert (payment.payee_type, payment.account_number) == ("organisation", "00733445")


@pytest.mark.parametrize(
    "mandate",
    [
        {"scope": "prepare_returns"},
        {"scope": "view_only"},
        {"status": "awaiting_consent", "consent_method": "on_screen", "consent_recorded_on": None},
        {"ends_on": date(2026, 4, 5)},
    ],
    ids=["prepares-returns", "view-only", "no-consent-yet", "ended"],
)
def test_other_mandates_leave_the_person_paid(officers, factory, mandate):
    builder, _approver, leader = officers
    account = _paid_account(factory, leader)
    factory.mandate(account, _pooled_org(factory), starts_on=date(2026, 1, 1), **mandate)
    line = _line(_build(0, builder))
    assert (line.payee_type, line.account_number) == ("person", "66374958")


def test_no_pooled_account_withholds_with_a_reason(officers, factory):
    builder, _approver, leader = officers
    account = _paid_account(factory, leader)
    org = factory.organisation(kind="money_management")
    factory.mandate(account, org, scope="manage_money", starts_on=date(2026, 1, 1))
    line = _line(_build(0, builder))
    assert line.outcome == "withhold"
    assert line.reason == (
        "The organisation that manages the money has no approved pooled client account"
    )


def test_a_pooled_account_changed_after_the_build_makes_the_run_stale(officers, factory):
    builder, approver, leader = officers
    account = _paid_account(factory, leader)
    org = _pooled_org(factory)
    admin = factory.user(Role.BROKERAGE_STAFF, organisation_id=org.id, is_organisation_admin=True)
    factory.mandate(account, org, scope="manage_money", starts_on=date(2026, 1, 1))
    run = _build(0, builder)
    assert run_review.stale_reasons(run) == []
    proposed = org_services.ProposedAccount("MMS NEW", "089999", "66374958", "Moved bank")
    change = org_services.request_pooled_change(
        org, proposed, confirmed="", tables=None, actor=admin
    )
    org_services.decide_pooled_change(change, approve=True, note="Letter seen", actor=approver)
    assert run_review.stale_reasons(run) == [
        "an organisation's pooled client account changed",
        "1 payee no longer has the bank details the run was built with",
    ]
