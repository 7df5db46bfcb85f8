"""A person with two providers (issue 14): agreements with two providers for different budget
lines at once, each paid on its invoices; each provider's invoices are capped by its own
budget (another provider's payments and waiting lines are not its), the person's statement
shows each provider's money, and a run pays first the provider whose approved money has
waited longer, so that neither waits behind the other for good."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role, User
from dp_portal.core.errors import RuleError
from dp_portal.core.types import utcnow
from dp_portal.extensions import db
from dp_portal.isf import invoice_services, services, statement
from dp_portal.isf.agreements import Terms
from dp_portal.isf.models import IsfAgreement
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.models import BudgetLine
from dp_portal.payments.run_models import RunLine

from ..payments.test_run_controls import _build
from .helpers import agreement, funded_account, living_wage, provider
from .invoice_helpers import send

SECOND = (date(2026, 5, 4), date(2026, 5, 31))


@pytest.fixture
def two(app_ctx, factory, db_session):
    """One person's budget: 10 hours a week from each of two providers, each agreement in
    force and paid on invoice, with £1,000 a year; each provider's staff; an officer."""
    living_wage(db_session)
    first = provider(factory, name="First Care")
    second = provider(
        factory,
        name="Second Care",
        pooled_payee_name="SECOND CARE",
        pooled_sort_code="401276",
        pooled_account_number="12345678",
        bank=False,
    )
    account, budget, line = funded_account(factory, first)
    other = BudgetLine(
        budget_id=budget.id,
        kind="provider_hours",
        description="Support from Second Care",
        hours_hundredths=1000,
        provider_id=second.id,
        service_type="day",
    )
    factory.session.add(other)
    factory.session.flush()
    rows = []
    for org, funded in ((first, line), (second, other)):
        row, _version = agreement(
            factory,
            account,
            org,
            budget,
            funded,
            status="active",
            activated_at=utcnow(),
            payment_basis="invoice",
            annual_budget_pence=100000,
        )
        rows.append(db.session.get(IsfAgreement, row.id))
    staff = [factory.user(Role.PROVIDER_STAFF, organisation_id=o.id) for o in (first, second)]
    officer = db.session.get(User, factory.user(Role.FINANCE_OFFICER).id)
    return first, second, account, rows, staff, officer


def _terms(basis: str) -> Terms:
    return Terms(
        starts_on=date(2026, 4, 6),
        ends_on=None,
        annual_budget=Decimal("1000"),
        money_holder="council",
        payment_basis=basis,
        management_fee_pct=Decimal(0),
        contribution_to="none",
        bankable_hours=Decimal(0),
        reporting_frequency="quarterly",
        underspend="reviewed",
    )


def test_a_second_provider_is_agreed_for_its_own_budget_line(app_ctx, factory, db_session):
    living_wage(db_session)
    first, second = provider(factory, name="First Care"), provider(factory, name="Second Care")
    account, budget, _line = funded_account(factory, first)
    factory.session.add(
        BudgetLine(
            budget_id=budget.id,
            kind="provider_hours",
            description="Nights from Second Care",
            hours_hundredths=500,
            provider_id=second.id,
            service_type="day",
        )
    )
    factory.session.flush()
    officer = db.session.get(User, factory.user(Role.FINANCE_OFFICER).id)
    account = db.session.merge(account)
    one = services.propose_agreement(account, first, _terms("invoice"), actor=officer)
    two = services.propose_agreement(account, second, _terms("invoice"), actor=officer)
    funded = [[f.budget_line.provider_id for f in a.versions[0].funded_lines] for a in (one, two)]
    assert funded == [[first.id], [second.id]]
    # A payment run pays one provider for a person each period: not one in advance.
    with pytest.raises(RuleError, match="each paid on its invoices"):
        services.change_agreement(two, _terms("scheduled"), "Monthly", actor=officer)


def test_another_providers_scheduled_payment_must_change_first(app_ctx, factory, db_session):
    living_wage(db_session)
    first, second = provider(factory, name="First Care"), provider(factory, name="Second Care")
    account, budget, _line = funded_account(factory, first)
    factory.session.add(
        BudgetLine(
            budget_id=budget.id,
            kind="provider_hours",
            description="Nights",
            hours_hundredths=500,
            provider_id=second.id,
            service_type="day",
        )
    )
    factory.session.flush()
    officer = db.session.get(User, factory.user(Role.FINANCE_OFFICER).id)
    account = db.session.merge(account)
    services.propose_agreement(account, first, _terms("scheduled"), actor=officer)
    with pytest.raises(RuleError, match="First Care is paid on the schedule for this person"):
        services.propose_agreement(account, second, _terms("invoice"), actor=officer)


def _paid_to(org, account, pence: int) -> None:
    """Paid for the person to the organisation's bank account on 6 April 2026."""
    db.session.add(
        Payment(
            account_id=account.id,
            period_index=-1,
            period_start=date(2026, 3, 9),
            period_end=date(2026, 4, 5),
            payee_type="organisation",
            amount_pence=pence,
            pay_date=date(2026, 4, 6),
            breakdown_json="{}",
            sort_code=org.pooled_sort_code,
            account_number=org.pooled_account_number,
        )
    )


def test_each_provider_is_capped_by_its_own_budget(two):
    first, second, account, _rows, (staff1, staff2), _officer = two
    # First Care: £900 waiting, then paid £1,000 to its bank account on the schedule before.
    send(first, staff1, [(account.reference, "day", 40)])
    _paid_to(first, account, 100000)
    # Second Care's own £1,000: 40 hours (£900) fit, whatever First Care was paid or invoiced.
    invoice = send(second, staff2, [(account.reference, "day", 40)], reference="S-1")
    assert (invoice.lines[0].state, invoice.lines[0].hold_reason) == ("accepted", None)
    again = send(second, staff2, [(account.reference, "day", 5)], reference="S-2", period=SECOND)
    assert "£900.00 approved and waiting" in again.lines[0].hold_reason
    assert "£0.00 paid" in again.lines[0].hold_reason


def test_the_statement_shows_each_providers_own_money(two):
    first, second, account, (one, two_), (staff1, staff2), _officer = two
    send(first, staff1, [(account.reference, "day", 40)])
    send(second, staff2, [(account.reference, "day", 10)], reference="S-1")
    figures = [statement.statement(row, date(2026, 5, 10)) for row in (one, two_)]
    assert [(s.waiting, s.remaining) for s in figures] == [
        (Decimal("900.00"), Decimal("100.00")),
        (Decimal("225.00"), Decimal("775.00")),
    ]


def _line(run, account) -> RunLine:
    return db.session.execute(
        select(RunLine).where(RunLine.run_id == run.id, RunLine.account_id == account.id)
    ).scalar_one()


def test_neither_provider_waits_behind_the_other_for_good(two, factory):
    first, second, account, _rows, (staff1, staff2), officer = two
    second.pooled_sort_code, second.pooled_account_number = "401276", "12345678"
    second.pooled_payee_name = "SECOND CARE"
    # Second Care's invoice is approved first, then First Care's.
    later = send(second, staff2, [(account.reference, "day", 4)], reference="S-1")
    invoice_services.approve_invoice(later, actor=officer)
    sooner = send(first, staff1, [(account.reference, "day", 6)])
    invoice_services.approve_invoice(sooner, actor=officer)
    run = _build(1, officer)
    assert (_line(run, account).payee_name, _line(run, account).amount_pence) == (
        "SECOND CARE",
        9000,
    )
    _approve_and_commit(run, factory)
    following = _build(2, officer)
    assert (_line(following, account).sort_code, _line(following, account).amount_pence) == (
        first.pooled_sort_code,
        13500,
    )


def _approve_and_commit(run, factory):
    from dp_portal.payments import run_decisions

    approver = db.session.get(User, factory.user(Role.FINANCE_OFFICER).id)
    run_decisions.approve_run(run, actor=approver)
    run_decisions.commit_run(run.id, actor=approver)


def test_a_payment_to_a_provider_not_the_persons_counts_against_their_budget(two, factory):
    """Only the person's own other providers' payments are set aside: a payment for them to
    a provider they have no agreement with (Third Care, which supports someone else First
    Care also supports) is money spent from First Care's budget for them."""
    first, _second, account, (one, _two), (staff1, _staff2), _officer = two
    third = provider(
        factory,
        name="Third Care",
        pooled_payee_name="THIRD CARE",
        pooled_sort_code="402020",
        pooled_account_number="87654321",
        bank=False,
    )
    someone, budget, line = funded_account(factory, first)
    for org in (first, third):
        agreement(
            factory,
            someone,
            org,
            budget,
            line,
            status="active",
            activated_at=utcnow(),
            payment_basis="invoice",
        )
    _paid_to(third, account, 60000)
    # £1,000 less the £600 paid leaves £400: 20 hours (£450) are held, and say why.
    invoice = send(first, staff1, [(account.reference, "day", 20)])
    assert "£600.00 paid" in invoice.lines[0].hold_reason
    assert statement.statement(one, date(2026, 5, 10)).paid == Decimal("600.00")
