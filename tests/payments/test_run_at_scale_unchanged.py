"""A whole council's run, built the quick way (prices shared between accounts with the same
terms, rows written in bulk), pays what the plain rules pay, to the penny: every line priced
account by account from its own plan, each breakdown the text json.dumps makes of it, the
run's totals and page starts counted from its lines, and a payment and ledger credit for each
paid line."""

import json
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dp_portal.auth.models import User
from dp_portal.demo import build_demo
from dp_portal.extensions import db
from dp_portal.payments import hooks, run_decisions
from dp_portal.payments.ledger_models import LedgerEntry, Payment
from dp_portal.payments.plans import plans_of, rate_book
from dp_portal.payments.pricing import account_period_amount
from dp_portal.payments.run_build import build_run, payment_schedule
from dp_portal.payments.run_models import RunLine, RunPageStart, RunTotal

OFFICERS = ("finance@demo.glenarden.example", "finance2@demo.glenarden.example")


@pytest.fixture
def council(app, app_ctx, db_session):
    """A demo council of 400 accounts and its run for the period holding 23 November 2026."""
    build_demo(400, seed=1)
    officer, second = (
        db.session.execute(select(User).where(User.email == email)).scalar_one()
        for email in OFFICERS
    )
    schedule = payment_schedule(app.config)
    index = schedule.index_of(date(2026, 11, 23))
    ahead = schedule.period(index).start - timedelta(days=14)
    run = build_run(index, schedule=schedule, actor=officer, today=ahead)
    db.session.flush()
    return run, schedule.period(index), second


def _plain_breakdown(amount) -> str:
    """The breakdown as json.dumps writes it, from the priced period's own figures."""
    segments = [
        {
            "from": s.start.isoformat(),
            "to": s.end.isoformat(),
            "days": s.days,
            "weekly_budget": str(s.weekly.budget),
            "weekly_contribution": str(s.weekly.contribution),
            "lines": [[label, str(weekly)] for label, weekly in s.weekly.lines],
        }
        for s in amount.segments
    ]
    whole = {
        "period": [amount.period.start.isoformat(), amount.period.end.isoformat()],
        "segments": segments,
        "budget": str(amount.budget),
        "contribution": str(amount.contribution),
        "invoiced": str(amount.invoiced),
        "offsets": [],
        "total": str(amount.total),
        "arrears": [],
    }
    return json.dumps(whole, separators=(",", ":"))


def _lines(run_id: int) -> list[RunLine]:
    return list(db.session.execute(select(RunLine).where(RunLine.run_id == run_id)).scalars().all())


def test_every_line_is_priced_as_its_own_plan_prices_it(council):
    run, period, _ = council
    replaced = {
        account_id
        for account_id, target in hooks.redirected_payees(period.start).items()
        if isinstance(target, hooks.Replacement)
    }
    compared = 0
    for line in _lines(run.id):
        stored = json.loads(line.breakdown_json)
        if line.account_id in replaced or stored.get("arrears") or stored.get("offsets"):
            continue  # priced by another package, or with arrears or recoveries on top
        account = line.account
        try:
            amount = account_period_amount(
                period, plans_of(line.account_id), rate_book(), account.start_date, account.end_date
            )
        except LookupError:
            assert (line.amount_pence, line.breakdown_json) == (0, "{}")
            continue
        assert (
            line.amount_pence,
            line.arrears_pence,
            line.contribution_pence,
            line.invoice_pence,
            line.offset_pence,
        ) == (amount.total_pence, 0, amount.contribution_pence, amount.invoiced_pence, 0)
        assert line.breakdown_json == _plain_breakdown(amount)
        compared += 1
    assert compared > 300  # nearly every account, not a vacuous pass


def test_the_runs_totals_and_pages_are_counted_from_its_lines(council):
    run, _, _ = council
    lines = _lines(run.id)
    paid = [line for line in lines if line.outcome == "pay"]
    assert run.total_pence == sum(line.amount_pence + line.arrears_pence for line in paid)
    assert (run.payment_count, run.withheld_count) == (len(paid), len(lines) - len(paid))
    totals = db.session.execute(select(RunTotal).where(RunTotal.run_id == run.id)).scalars()
    kept = Counter()
    for total in totals:
        key = (total.outcome, total.sds_option, total.payee_type, total.reason)
        kept[key] += total.lines
        if total.outcome == "pay":
            assert total.total_pence == sum(
                line.amount_pence + line.arrears_pence
                for line in paid
                if (line.sds_option, line.payee_type) == (total.sds_option, total.payee_type)
            )
    counted = Counter(
        ("pay", line.sds_option, line.payee_type, None)
        if line.outcome == "pay"
        else ("withhold", None, None, line.reason)
        for line in lines
    )
    assert kept == counted
    starts = db.session.execute(
        select(RunPageStart.page, RunPageStart.first_account_id)
        .where(RunPageStart.run_id == run.id)
        .order_by(RunPageStart.page)
    ).all()
    first_of_each_page = sorted(line.account_id for line in paid)[::50]
    assert [tuple(start) for start in starts] == list(enumerate(first_of_each_page, start=1))


def test_the_commit_pays_and_credits_each_paid_line(council):
    run, _, second = council
    run_decisions.approve_run(run, actor=second)
    run_decisions.commit_run(run.id, actor=second)
    paid = {line.account_id: line for line in _lines(run.id) if line.outcome == "pay"}
    payments = (
        db.session.execute(
            select(Payment).where(Payment.run_id == run.id, Payment.kind == "regular")
        )
        .scalars()
        .all()
    )
    assert {p.account_id for p in payments} == set(paid)
    for payment in payments:
        line = paid[payment.account_id]
        assert (payment.amount_pence, payment.breakdown_json, payment.payee_name) == (
            line.amount_pence,
            line.breakdown_json,
            line.payee_name,
        )
        assert (payment.sort_code, payment.account_number) == (line.sort_code, line.account_number)
    credits = db.session.execute(
        select(LedgerEntry.payment_id, LedgerEntry.amount_pence).where(
            LedgerEntry.payment_id.in_([p.id for p in payments])
        )
    ).all()
    assert sorted(credits) == sorted((p.id, p.amount_pence) for p in payments)
    contributions = db.session.execute(
        select(LedgerEntry.account_id, LedgerEntry.amount_pence).where(
            LedgerEntry.kind == "contribution", LedgerEntry.entry_date == run.pay_date
        )
    ).all()
    assert sorted(contributions) == sorted(
        (line.account_id, line.contribution_pence)
        for line in paid.values()
        if line.contribution_pence > 0
    )
