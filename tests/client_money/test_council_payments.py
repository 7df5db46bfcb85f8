"""When a payment run commits, each payment for a person whose money an organisation manages
is posted to their sub-ledger in that organisation's pooled account, in the same
transaction, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dp_portal.auth.models import Role
from dp_portal.client_money import services as money_services
from dp_portal.client_money.reconciliation import month_end
from dp_portal.core.calendar import Cycle, PaymentSchedule
from dp_portal.extensions import db
from dp_portal.payments import hooks, run_build, run_decisions, services
from dp_portal.payments.budgets import LineKind, LineSpec
from dp_portal.payments.ledger_models import Payment
from dp_portal.payments.rates import RateKind
from dp_portal.third_party.money_models import (
    ClientBalance,
    ClientPosting,
    PooledReconciliation,
    PostingKind,
)

from .conftest import put

SCHEDULE = PaymentSchedule(Cycle.FOUR_WEEKLY, date(2026, 4, 6))


def _paid_account(factory, leader):
    account = db.session.merge(
        factory.account(payee_name="A TESTER", sort_code="089999", account_number="66374958")
    )
    budget = services.propose_budget(
        account,
        effective_from=date(2026, 4, 6),
        lines=[LineSpec(LineKind.PA_HOURS, "Care", hours=Decimal("20"))],
        weekly_contribution=Decimal("0"),
        contribution_basis="net",
        reason="Assessment",
        actor=leader,
    )
    services.decide_budget(
        budget, approve=True, note="", actor=factory.user(Role.TEAM_LEADER), ceiling=Decimal("1500")
    )
    return account


def test_a_committed_run_posts_each_managed_persons_payment_to_their_sub_ledger(app_ctx, factory):
    builder, approver = (factory.user(Role.FINANCE_OFFICER) for _ in range(2))
    leader = factory.user(Role.TEAM_LEADER)
    services.add_rate_row(
        RateKind.LIVING_WAGE, date(2025, 4, 1), Decimal("12.60"), "t", actor=leader
    )
    managed, own = _paid_account(factory, leader), _paid_account(factory, leader)
    org = factory.organisation(
        kind="money_management",
        pooled_payee_name="MMS CLIENT AC",
        pooled_sort_code="309634",
        pooled_account_number="00733445",
    )  # the pooled client account runs pay managed money into
    factory.mandate(managed, org, scope="manage_money")
    watcher = factory.organisation()
    factory.mandate(own, watcher, scope="view_only")  # sees it, holds no money
    run = run_build.build_run(0, schedule=SCHEDULE, actor=builder, today=date(2026, 1, 5))
    run_decisions.approve_run(run, actor=approver)
    run_decisions.commit_run(run.id, actor=approver)

    payment = db.session.execute(
        select(Payment).where(Payment.account_id == managed.id)
    ).scalar_one()
    [line] = db.session.execute(select(ClientPosting)).scalars().all()
    assert (line.organisation_id, line.account_id, line.kind) == (
        org.id,
        managed.id,
        "council_payment",
    )
    assert (line.payment_id, line.amount_pence) == (payment.id, payment.amount_pence)
    assert line.entry_date == payment.pay_date
    balance = db.session.execute(select(ClientBalance)).scalar_one()
    assert balance.balance_pence == line.balance_after_pence == payment.amount_pence

    # Exactly once: posting the run again is refused by the database.
    once = r"uq_client_postings_payment_id|UNIQUE constraint"
    with pytest.raises(Exception, match=once), db.session.begin_nested():
        money_services.post_committed_run(run.id)


def test_the_hook_is_registered_with_payments():
    assert money_services.post_committed_run in hooks._on_run_committed


def test_a_payment_dated_in_a_signed_off_month_posts_on_the_first_open_day(app_ctx, factory):
    """A signed-off month is sealed: the council's payment is posted on the day after it ends,
    never into it (and the sealed months are read once per organisation, not per payment)."""
    builder, approver = (factory.user(Role.FINANCE_OFFICER) for _ in range(2))
    leader = factory.user(Role.TEAM_LEADER)
    services.add_rate_row(
        RateKind.LIVING_WAGE, date(2025, 4, 1), Decimal("12.60"), "t", actor=leader
    )
    first, second = _paid_account(factory, leader), _paid_account(factory, leader)
    org = factory.organisation(
        kind="money_management",
        pooled_payee_name="MMS CLIENT AC",
        pooled_sort_code="309634",
        pooled_account_number="00733445",
    )
    factory.mandate(first, org, scope="manage_money")
    factory.mandate(second, org, scope="manage_money")
    run = run_build.build_run(0, schedule=SCHEDULE, actor=builder, today=date(2026, 1, 5))
    sealed_month = run.pay_date.replace(day=1)
    db.session.add(
        PooledReconciliation(
            organisation_id=org.id,
            month=sealed_month,
            status="signed_off",
            prepared_by_id=builder.id,
            signed_off_by_id=approver.id,
            signed_off_at=datetime(2026, 5, 6, 9, 0, tzinfo=UTC),
        )
    )
    run_decisions.approve_run(run, actor=approver)
    run_decisions.commit_run(run.id, actor=approver)

    lines = db.session.execute(select(ClientPosting)).scalars().all()
    first_open = month_end(sealed_month) + timedelta(days=1)
    assert len(lines) == 2
    assert {line.entry_date for line in lines} == {first_open}
    payments = db.session.execute(select(Payment)).scalars().all()
    assert {p.pay_date for p in payments} == {run.pay_date}  # the payment itself is unchanged


def test_a_runs_payments_are_posted_in_order_with_the_balance_after_each(office, factory):
    """A run paying one managed person twice (this period and arrears of an earlier one) posts
    two lines in payment order, each with the balance after it, on top of what the person
    already had; a person whose mandate ended before the pay date is not posted at all."""
    from dp_portal.payments.run_models import PaymentRun

    put(office, PostingKind.CONTRIBUTION, "10.00", date(2026, 11, 2))  # £10 already held
    ended = factory.account()
    factory.mandate(ended, office.org, scope="manage_money", ends_on=date(2026, 11, 20))
    pay_day = date(2026, 11, 23)
    run = PaymentRun(
        period_index=9,
        period_start=pay_day,
        period_end=date(2026, 12, 20),
        pay_date=pay_day,
        built_by_id=office.preparer.id,
    )
    db.session.add(run)
    db.session.flush()
    paid = [
        (office.account, "regular", pay_day, 50_000),
        (office.account, "arrears", date(2026, 10, 26), 1_234),
        (ended, "regular", pay_day, 40_000),
    ]
    for account, kind, start, pence in paid:
        db.session.add(
            Payment(
                run_id=run.id,
                account_id=account.id,
                period_index=9,
                period_start=start,
                period_end=start + timedelta(days=27),
                payee_type="organisation",
                kind=kind,
                amount_pence=pence,
                pay_date=pay_day,
                breakdown_json='{"segments": [], "offsets": []}',
            )
        )
    db.session.flush()

    assert money_services.post_committed_run(run.id) == 2
    lines = (
        db.session.execute(
            select(ClientPosting)
            .where(ClientPosting.kind == "council_payment")
            .order_by(ClientPosting.id)
        )
        .scalars()
        .all()
    )
    assert [(line.account_id, line.amount_pence, line.balance_after_pence) for line in lines] == [
        (office.account.id, 50_000, 51_000),
        (office.account.id, 1_234, 52_234),
    ]
    assert [line.description for line in lines] == [
        "Council payment for the period from 23 November 2026, paid 23 November 2026",
        "Council payment of arrears for the period from 26 October 2026, paid 23 November 2026",
    ]
    balance = db.session.execute(
        select(ClientBalance).where(ClientBalance.account_id == office.account.id)
    ).scalar_one()
    assert balance.balance_pence == 52_234
    assert not db.session.execute(
        select(ClientBalance).where(ClientBalance.account_id == ended.id)
    ).first()
