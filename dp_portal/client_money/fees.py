"""The organisation's fee: a policy amount per client per period (shared/design.md 2.5: "fee
policy is data"), posted to each managed client's sub-ledger by a daily job, exactly once per
client and period. Staff never type a fee of their own.

- A policy is an amount every 4 weeks (the council's payment periods, from
  PAYMENT_CYCLE_ANCHOR) or every calendar month, from a date; never edited: a change is a new
  policy from a later date, set by a council finance officer or administrator (fee_policy.py).
- The job charges the period containing the day, under the policy in force that day, once
  that period has started on or after the policy's date (a policy starting part-way through
  a period first charges the next one). Every client whose money the organisation manages
  on the period's first day is charged once: FeeCharge's unique key, read under the job's
  lock, so running twice (or a day late, within the period) changes nothing.
- A fee that would take a client below zero is refused and listed for staff with the reason;
  each day's run tries it again, and posts it once the money is there.

Scheduled daily (scheduler.JOBS) and runnable by hand: `flask --app dp_portal dp fees
--as-of YYYY-MM-DD`.
"""

from __future__ import annotations

from datetime import date

from flask import Flask, current_app
from sqlalchemy import or_, select, text

from ..core.calendar import Period, four_weekly_period, month_period
from ..core.daily_jobs import daily_command, run_daily
from ..core.errors import RuleError
from ..core.money import from_pence
from ..core.types import utcnow
from ..extensions import db
from ..third_party.models import Mandate
from ..third_party.money_models import PostingKind
from ..third_party.money_statement_models import FeeCharge, FeePolicy
from . import ledger

FEE_LOCK_KEY = 7_431_013


def fee_period(per: str, day: date, anchor: date) -> Period:
    """The fee period containing `day`: the council's 4-weekly period, or the month."""
    if per == "four_weeks":
        return four_weekly_period(anchor, day)[1]
    return month_period(day)


def policy_on(policies: list[FeePolicy], day: date) -> FeePolicy | None:
    """The policy in force on `day` (the latest starting on or before it)."""
    started = [p for p in policies if p.effective_from <= day]
    return max(started, key=lambda p: p.effective_from) if started else None


def _one_runner_at_a_time() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEE_LOCK_KEY})
    else:  # SQLite has one writer: a write first takes that lock
        db.session.execute(text("UPDATE fee_charges SET id = id WHERE 0 = 1"))


def _clients(org_id: int, day: date) -> list[int]:
    return list(
        db.session.execute(
            select(Mandate.account_id)
            .where(
                Mandate.organisation_id == org_id,
                Mandate.scope == "manage_money",
                Mandate.withdrawn_at.is_(None),
                Mandate.starts_on <= day,
                or_(Mandate.ends_on.is_(None), Mandate.ends_on >= day),
            )
            .order_by(Mandate.account_id)
        ).scalars()
    )


def _charge(charge: FeeCharge, policy: FeePolicy, period: Period) -> bool:
    """Post one client's fee, or record why not. True when posted."""
    balance = ledger.balance_for(charge.organisation_id, charge.account_id)
    entry = ledger.Entry(
        PostingKind.FEE,
        from_pence(charge.amount_pence),
        ledger.first_open_day(charge.organisation_id, period.start),
        f"Fee for {period.start:%-d %B} to {period.end:%-d %B %Y} "
        f"(fee policy from {policy.effective_from:%-d %B %Y})",
    )
    try:
        with db.session.begin_nested():
            posting = ledger.post(balance, entry, actor=None)
    except RuleError as exc:
        charge.refused_reason, charge.updated_at = str(exc)[:300], utcnow()
        return False
    charge.posting_id, charge.refused_reason, charge.updated_at = posting.id, None, utcnow()
    return True


def _charge_organisation(policy: FeePolicy, period: Period) -> int:
    existing = {
        c.account_id: c
        for c in db.session.execute(
            select(FeeCharge).where(
                FeeCharge.organisation_id == policy.organisation_id,
                FeeCharge.period_start == period.start,
            )
        ).scalars()
    }
    posted = 0
    for account_id in _clients(policy.organisation_id, period.start):
        charge = existing.get(account_id)
        if charge is not None and charge.posting_id is not None:
            continue  # charged once already
        if charge is None:
            charge = FeeCharge(
                organisation_id=policy.organisation_id,
                account_id=account_id,
                policy_id=policy.id,
                period_start=period.start,
                period_end=period.end,
                amount_pence=policy.amount_pence,
                refused_reason="Not charged yet",
            )
            db.session.add(charge)
            db.session.flush()
        posted += _charge(charge, policy, period)
    return posted


def charge_fees(today: date) -> int:
    """Charge every organisation's fee for the period containing `today`; how many posted."""
    _one_runner_at_a_time()
    anchor = current_app.config["PAYMENT_CYCLE_ANCHOR"]
    by_org: dict[int, list[FeePolicy]] = {}
    for policy in db.session.execute(
        select(FeePolicy).where(FeePolicy.effective_from <= today)
    ).scalars():
        by_org.setdefault(policy.organisation_id, []).append(policy)
    posted = 0
    for policies in by_org.values():
        policy = policy_on(policies, today)
        period = fee_period(policy.per, today, anchor)
        if policy.amount_pence > 0 and period.start >= policy.effective_from:
            posted += _charge_organisation(policy, period)
    return posted


def fees_job(app: Flask) -> int:
    """For the scheduler's JOBS registry (daily)."""
    return run_daily(app, charge_fees, "organisation fees")


fees_command = daily_command(
    "fees",
    charge_fees,
    "organisation fees",
    "Charge each organisation's fee to its clients' sub-ledgers for the period containing "
    "the day. Running it twice changes nothing.",
)
