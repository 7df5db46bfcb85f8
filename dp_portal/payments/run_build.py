"""Building a payment run: every account priced for the period (with arrears and recovery
offsets), paid or withheld with a reason, and its payee snapshotted for the approver and the
commit. Never commits the transaction itself: the request or job that calls it does."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from ..accounts.models import Account
from ..core import audit
from ..core.bulk import insert_rows
from ..core.calendar import Cycle, PaymentSchedule, Period
from ..core.errors import RuleError
from ..core.money import from_pence, to_pence
from ..core.types import local_today
from ..extensions import db
from ..third_party.models import Mandate
from . import run_periods
from .arrears import arrears_for, arrears_inputs
from .bankfile import reference_suffix
from .lifecycles import RunStatus
from .models import PaymentRun, RunLine
from .plans import load_plans, rate_book
from .pricing import account_period_amount
from .recoveries import open_offsets, with_offsets


def payment_schedule(config) -> PaymentSchedule:
    return PaymentSchedule(Cycle(config["PAYMENT_CYCLE"]), config["PAYMENT_CYCLE_ANCHOR"])


def build_run(
    period_index: int,
    *,
    schedule: PaymentSchedule,
    actor,
    today: date | None = None,
    late_reason: str = "",
) -> PaymentRun:
    pay_date = run_periods.check_build(schedule, period_index, today or local_today(), late_reason)
    if db.session.execute(
        select(PaymentRun.id).where(
            PaymentRun.period_index == period_index, PaymentRun.status != RunStatus.CANCELLED
        )
    ).first():
        raise RuleError("There is already a run for this period: open it, or cancel it first")
    period = schedule.period(period_index)
    run = PaymentRun(
        period_index=period_index,
        period_start=period.start,
        period_end=period.end,
        pay_date=pay_date,
        status=RunStatus.BUILT,
        built_by_id=actor.id,
        late_reason=late_reason.strip() or None,
    )
    db.session.add(run)
    db.session.flush()
    rows = _run_lines(run.id, period, schedule)
    insert_rows(db.session, RunLine.__table__, rows)
    paid = [row for row in rows if row["outcome"] == "pay"]
    run.total_pence = sum(row["amount_pence"] + row["arrears_pence"] for row in paid)
    run.payment_count, run.withheld_count = len(paid), len(rows) - len(paid)
    _record_built(run, actor)
    return run


def _record_built(run: PaymentRun, actor) -> None:
    total, paid_count, withheld = run.total_pence, run.payment_count, run.withheld_count
    audit.record(
        actor,
        "payment_run.built",
        run,
        summary=f"Run for {run.period_start:%d %B %Y} built: {paid_count} payments, "
        f"{from_pence(total)} pounds, {withheld} withheld"
        + (f"; paid late: {run.late_reason}" if run.late_reason else ""),
        after={
            "total_pence": total,
            "payments": paid_count,
            "withheld": withheld,
            "pay_date": run.pay_date.isoformat(),
            "late_reason": run.late_reason,
        },
    )


def _accounts(period: Period) -> list:
    return (
        db.session.connection()
        .execute(
            select(
                Account.id,
                Account.status,
                Account.start_date,
                Account.end_date,
                Account.sds_option,
                Account.sort_code,
                Account.account_number,
                Account.payee_name,
                Account.reference,
            ).where(
                Account.start_date <= period.end,
                # Closed accounts still within their dates are listed as withheld, so a closure
                # the officer did not expect is seen before the money goes.
                (Account.end_date.is_(None)) | (Account.end_date >= period.start),
            )
        )
        .all()
    )


def _managed(period: Period) -> set[int]:
    """Accounts an organisation manages the money of on the period's first day: paid to it."""
    return set(
        db.session.execute(
            select(Mandate.account_id).where(
                Mandate.scope == "manage_money", Mandate.current_on(period.start)
            )
        ).scalars()
    )


def withhold_reason(status: str, has_plan: bool, sort_code, total_pence: int) -> str | None:
    """Why an account is not paid this period, or None when it is."""
    if status == "closed":
        return "Account closed"
    if not has_plan:
        return "No approved budget"
    if status == "suspended":
        return "Account suspended: payments withheld until it is reinstated"
    if not sort_code:
        return "No bank details"
    if total_pence <= 0:
        return "Nothing to pay: the amount is zero or less"
    return None


def _run_lines(run_id: int, period: Period, schedule: PaymentSchedule) -> list[dict]:
    book = rate_book()
    accounts = _accounts(period)
    plans = load_plans()
    managed = _managed(period)
    past = arrears_inputs(period, schedule)
    recoveries = open_offsets()
    rows = []
    suffix = reference_suffix(period.start)
    for account_id, status, start, end, option, sort_code, number, name, ref in accounts:
        versions = plans.get(account_id, [])
        # The payee as it is now: the approver sees it and the commit pays exactly it.
        payee = {
            "payee_name": name,
            "sort_code": sort_code,
            "account_number": number,
            "payee_reference": f"{ref} {suffix}",
        }
        try:
            amount = account_period_amount(period, versions, book, start, end)
        except LookupError as exc:
            rows.append(
                _line(run_id, account_id, option, managed, 0, 0, "withhold", str(exc), "{}") | payee
            )
            continue
        arrears_items = arrears_for(account_id, versions, book, start, end, past)
        arrears = sum(item["due_pence"] for item in arrears_items)
        if account_id in recoveries and status == "active":
            amount = with_offsets(amount, recoveries[account_id])
        breakdown_json = (
            json.dumps(amount.breakdown() | {"arrears": arrears_items}, separators=(",", ":"))
            if arrears_items or amount.offsets
            else amount.breakdown_json
        )
        amount_pence = amount.total_pence
        reason = withhold_reason(status, bool(versions), sort_code, amount_pence + arrears)
        rows.append(
            _line(
                run_id,
                account_id,
                option,
                managed,
                amount_pence,
                arrears,
                "withhold" if reason else "pay",
                reason,
                breakdown_json,
                amount.contribution_pence,
                amount.invoiced_pence,
                to_pence(amount.offset_total),
            )
            | payee
        )
    return rows


def _line(
    run_id,
    account_id,
    option,
    managed,
    amount,
    arrears,
    outcome,
    reason,
    breakdown_json,
    contribution=0,
    invoice=0,
    offset=0,
) -> dict:
    return {
        "offset_pence": offset,
        "contribution_pence": contribution,
        "invoice_pence": invoice,
        "run_id": run_id,
        "account_id": account_id,
        "payee_type": "organisation" if account_id in managed else "person",
        "amount_pence": amount,
        "arrears_pence": arrears,
        "sds_option": option,
        "outcome": outcome,
        "reason": reason,
        "breakdown_json": breakdown_json,
    }
