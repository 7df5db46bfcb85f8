"""A month in the life of the demo council, made through the same services the pages use:
the last two payment runs committed (the living wage uplift for this year agreed between them,
back-dated, so the second pays arrears), the next run built and waiting for a second officer,
returns sent and waiting for review (most clean, some flagged, one queried), and an account
suspended for a missing return, with its letters.

Needs: build_demo, demo_returns and the reminders issued by today. Running it again changes
nothing (it does nothing once a payment run exists).
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from ..accounts.models import Account
from ..auth.models import User
from ..core.money import ZERO, from_pence, round_money
from ..extensions import db
from ..monitoring import drafts, escalations, review, sending
from ..monitoring.jobs import outstanding_periods
from ..monitoring.models import EscalationTask, MonitoringReturn
from ..monitoring.periods import ReturnPeriod
from ..payments import run_decisions, run_periods
from ..payments.run_build import build_run, payment_schedule
from ..payments.run_models import PaymentRun
from ..payments.uplift import apply_uplift
from .users import OFFICER, PROPOSER, TEAM_LEADER

# The 2026/27 Scottish Government minimum for adult social care (shared/facts/rates.md),
# agreed by the demo council after the year began and back-dated to the period it agreed.
UPLIFT_WAGE = Decimal("13.45")
UPLIFT_NOTE = "Scottish Government adult social care minimum 2026/27, agreed by the council"
SENT_FOR_REVIEW = 12  # late returns that have now come in
QUERY = (
    "Your return shows £{spent} spent on other agreed items. Please tell us what these were "
    "and send a receipt or invoice."
)


def demo_month(today: date) -> None:
    """Add the month to the current transaction (the caller commits)."""
    if db.session.execute(select(PaymentRun.id).limit(1)).first() is not None:
        return
    builder, approver, leader = (_user(email) for email in (OFFICER, PROPOSER, TEAM_LEADER))
    schedule = payment_schedule(current_app.config)
    (waiting, *_), _late = run_periods.period_choices(schedule, today)
    _paid_runs(schedule, waiting.index, builder, approver)
    _one_suspension(today, leader)
    _returns_in_review(today, approver, builder)
    # Built last, so that nothing it pays on has changed since: it waits for a second officer.
    build_run(waiting.index, schedule=schedule, actor=builder, today=today)


def _user(email: str) -> User:
    return db.session.execute(select(User).where(User.email == email)).scalar_one()


def _paid_runs(schedule, waiting: int, builder: User, approver: User) -> None:
    """The two runs before the waiting one, built two weeks before their periods and
    committed, with this year's uplift agreed between them (so the second pays arrears)."""
    for index in (waiting - 2, waiting - 1):
        if index == waiting - 1:
            effective = schedule.period(waiting - 2).start
            apply_uplift(UPLIFT_WAGE, effective, UPLIFT_NOTE, actor=approver)
        period = schedule.period(index)
        run = build_run(index, schedule=schedule, actor=builder, today=period.start - _TWO_WEEKS)
        run_decisions.approve_run(run, actor=approver)
        run_decisions.commit_run(run.id, actor=approver)


_TWO_WEEKS = timedelta(days=14)


def _returns_in_review(today: date, officer: User, sender: User) -> None:
    """Some of the returns that were late come in: every third with figures that do not add
    up or leave too much in the bank (flagged), the rest clean; the officer asks about one."""
    missing = _late_periods(today)[:SENT_FOR_REVIEW]
    for n, (account, period) in enumerate(missing):
        draft = drafts.draft_for(account, period)
        received = from_pence(draft.council_payments_pence)
        flagged = n % 3 == 1
        spent = round_money(received * Decimal("0.93"))
        other = Decimal("180.00") if n == 0 else ZERO
        values = {
            "spend_pa_wages": spent - other,
            "spend_other_agreed": other,
            "closing": received - spent + (Decimal("4200.00") if flagged else ZERO),
        }
        values["bank_balance"] = values["closing"]
        opening = from_pence(draft.opening_pence)
        values["closing"] += opening
        values["bank_balance"] += opening - (Decimal("75.00") if flagged else ZERO)
        drafts.save_draft(draft, values, "", actor=sender)
        sending.submit(draft, account=account, actor=sender)
        if n == 0:
            review.raise_query(draft, QUERY.format(spent=other), actor=officer)


def _late_periods(today: date) -> list[tuple[Account, ReturnPeriod]]:
    """(account, period) of the returns due in the last 60 days and not sent, oldest first."""
    recent = today - timedelta(days=60)
    sent = {
        (account_id, start)
        for account_id, start in db.session.execute(
            select(MonitoringReturn.account_id, MonitoringReturn.period_start)
        )
    }
    # Escalated returns stay missing: they are the escalation story.
    escalated = {
        (account_id, start)
        for account_id, start in db.session.execute(
            select(EscalationTask.account_id, EscalationTask.period_start)
        )
    }
    late = sorted(
        (period.due, account_id, period)
        for account_id, period in outstanding_periods(today)
        if recent <= period.due < today
        and (account_id, period.start) not in sent | escalated
        and zlib.crc32(str(account_id).encode()) % 2 == 0
    )
    accounts = {a.id: a for a in db.session.execute(select(Account)).scalars()}
    return [
        (accounts[account_id], period)
        for _due, account_id, period in late
        if accounts[account_id].status == "active"
    ]


def _one_suspension(today: date, leader: User) -> None:
    """The oldest open escalation ends in a suspension, with its letter."""
    task = db.session.execute(
        select(EscalationTask)
        .join(Account, Account.id == EscalationTask.account_id)
        .where(EscalationTask.status == "open", Account.status == "active")
        .order_by(EscalationTask.period_start, EscalationTask.id)
        .limit(1)
    ).scalar()
    if task is not None:
        reason = "No return for the period after three reminders and a phone call"
        escalations.suspend(task, reason=reason, actor=leader, today=today)
