"""Building a payment run: every account priced for the period (with arrears and recovery
offsets), paid or withheld with a reason, and its payee snapshotted for the approver and the
commit. Never commits the transaction itself: the request or job that calls it does."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..accounts.models import Account
from ..core import audit
from ..core.bulk import DaysRead, date_as_stored
from ..core.calendar import Cycle, PaymentSchedule, Period
from ..core.errors import RuleError
from ..core.money import from_pence
from ..core.types import local_today
from ..extensions import db
from ..third_party.models import Mandate, Organisation
from . import hooks, run_periods, run_review, run_summary
from .arrears import arrears_inputs
from .bankfile import reference_suffix
from .council_scale import cycle_collector_paused, insert_tuples
from .lifecycles import RunStatus
from .plans import load_plans, rate_book
from .pricing import PeriodPricer
from .recoveries import open_offsets, with_offsets
from .run_lines import (
    COLUMNS,
    figures,
    replaced_line,
    withhold_reason,
)
from .run_models import PaymentRun, RunLine


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
    with cycle_collector_paused():
        rows = _run_lines(run.id, period, schedule)
        insert_tuples(db.session, RunLine.__table__, COLUMNS, rows)
        previous = run_summary.previous_committed(run)
        run_summary.summarise(run, rows, previous)  # the run's total and counts too
        # Let go of the council's lines before the collector is back: it would otherwise
        # walk all 100,000 of them once more on its first pass (50 ms, measured).
        del rows
    run_review.keep_changers(run, previous)
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
                date_as_stored(Account.start_date),  # made dates in _run_lines, once a day
                date_as_stored(Account.end_date),
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


def _managed(period: Period) -> dict[int, tuple]:
    """Accounts an organisation manages the money of on the period's first day, and that
    organisation's pooled client account (name, sort code, number): the run pays it, with
    the person's reference, so the organisation knows whose money arrived (reg. 5)."""
    rows = db.session.execute(
        select(
            Mandate.account_id,
            Organisation.pooled_payee_name,
            Organisation.pooled_sort_code,
            Organisation.pooled_account_number,
        )
        .join(Organisation, Organisation.id == Mandate.organisation_id)
        .where(Mandate.scope == "manage_money", Mandate.current_on(period.start))
    )
    return {account_id: tuple(pooled) for account_id, *pooled in rows}


NO_POOLED_ACCOUNT = "The organisation that manages the money has no approved pooled client account"


NOT_PRICED = (0, 0, 0, 0, 0, "{}")  # no rate for the period: withheld, nothing worked out


def _run_lines(run_id: int, period: Period, schedule: PaymentSchedule) -> list[tuple]:
    """Every account's line, in run_lines.COLUMNS order."""
    book = rate_book()
    pricer = PeriodPricer(period, book)
    plans = load_plans()
    managed = _managed(period)
    # Accounts another package pays elsewhere (an ISF provider): to whom, or why withheld.
    redirected = hooks.redirected_payees(period.start)
    past = arrears_inputs(period, schedule, book)
    recoveries = open_offsets()
    suffix = " " + reference_suffix(period.start)
    owing = bool(past)  # arrears are looked for only when some account may be owed them
    days = DaysRead()
    rows = []
    for account_id, status, start, end, option, sort_code, number, name, ref in _accounts(period):
        start, end = days[start], days[end]
        versions = plans.get(account_id, ())
        payee_type = "organisation" if account_id in managed else "person"
        if account_id in managed:
            name, sort_code, number = managed[account_id]
        target = redirected.get(account_id)
        if isinstance(target, hooks.Replacement):  # priced by its package (an ISF invoice)
            rows.append(replaced_line(run_id, account_id, status, option, target, ref + suffix))
            continue
        held = target if isinstance(target, str) else None
        if target is not None and held is None:
            payee_type, (name, sort_code, number) = "organisation", target
        # The payee as it is now: the approver sees it and the commit pays exactly it.
        payee = (name, sort_code, number, ref + suffix)
        try:
            amount = pricer.amount(versions, start, end)
        except LookupError as exc:
            outcome, reason, money = "withhold", str(exc), NOT_PRICED
        else:
            # Most lines have neither arrears nor offsets: their figures are the priced
            # period's own, shared (run_lines.figures).
            arrears = past.arrears_for(account_id, versions, start, end) if owing else []
            if status == "active" and account_id in recoveries:
                amount = with_offsets(amount, recoveries[account_id])
                money = figures(amount, arrears)
            else:
                money = figures(amount, arrears) if arrears else amount.line_figures
            reason = withhold_reason(status, bool(versions), sort_code, money[0] + money[1])
            if reason == "No bank details" and account_id in managed:
                reason = NO_POOLED_ACCOUNT
            if held and reason in (None, "No bank details"):
                reason = held
            outcome = "withhold" if reason else "pay"
        rows.append((run_id, account_id, payee_type, option, outcome, reason, *money, *payee))
    return rows
