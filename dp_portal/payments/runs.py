"""Payment runs: build, approve (a second officer), commit exactly once. Never commits the
transaction itself: the request or job that calls it does."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby

from sqlalchemy import Date, Integer, and_, func, insert, literal, select, text, update
from sqlalchemy.exc import OperationalError

from ..accounts.models import Account, Person
from ..accounts.services import correspondents
from ..core import audit
from ..core.bulk import insert_rows
from ..core.calendar import (
    Cycle,
    PaymentSchedule,
    Period,
    financial_year_start,
)
from ..core.errors import NotFound, RuleError
from ..core.letters import letter_row, record_letters
from ..core.money import ZERO, from_pence, round_money, to_pence
from ..core.spreadsheets import workbook_bytes
from ..core.types import UTCDateTime, local_today, utcnow
from ..extensions import db
from ..third_party.models import Mandate
from . import run_periods, run_review
from .bankfile import Originator, Transfer, csv_file, standard18_file
from .budgets import LineKind, LineSpec, price_lines, weekly_total
from .models import (
    Budget,
    BudgetLine,
    LedgerEntry,
    Payment,
    PaymentRun,
    RateRow,
    Recovery,
    RunLine,
    RunStatus,
)
from .rates import RateBook
from .schedule import PeriodAmount, Segment, Weekly, period_amount
from .services import rate_book

RUN_LOCK_KEY = 7_431_001  # PostgreSQL advisory lock: one run commits at a time


def core():
    """The session's connection, for whole-council queries that want plain rows quickly."""
    return db.session.connection()


def payment_schedule(config) -> PaymentSchedule:
    return PaymentSchedule(Cycle(config["PAYMENT_CYCLE"]), config["PAYMENT_CYCLE_ANCHOR"])


def period_for(schedule: PaymentSchedule, index: int) -> Period:
    return schedule.period(index)


# --- Light plan versions for whole-council runs (no ORM objects per account) ------------------


@dataclass(frozen=True)
class PlanVersion:
    budget_id: int
    effective_from: date
    contribution: Decimal
    basis: str
    lines: tuple[LineSpec, ...]


def load_plans(account_ids: set[int] | None = None) -> dict[int, list[PlanVersion]]:
    budgets = select(
        Budget.id,
        Budget.account_id,
        Budget.effective_from,
        Budget.weekly_contribution_pence,
        Budget.contribution_basis,
    ).where(Budget.status == "approved")
    lines = (
        select(
            BudgetLine.budget_id,
            BudgetLine.kind,
            BudgetLine.description,
            BudgetLine.hours_hundredths,
            BudgetLine.amount_pence,
            BudgetLine.provider_id,
        )
        .join(Budget, Budget.id == BudgetLine.budget_id)
        .where(Budget.status == "approved")
    )
    if account_ids is not None:
        budgets = budgets.where(Budget.account_id.in_(account_ids))
        lines = lines.where(Budget.account_id.in_(account_ids))
    # A council has many budgets but few distinct lines and contributions: build each once.
    kinds = {kind.value: kind for kind in LineKind}
    specs: dict[tuple, LineSpec] = {}
    pounds: dict[int, Decimal] = {}
    by_budget: dict[int, list[LineSpec]] = defaultdict(list)
    for budget_id, *raw in core().execute(lines.order_by(BudgetLine.id)):
        key = tuple(raw)
        spec = specs.get(key)
        if spec is None:
            kind, description, hours, amount, provider = raw
            spec = specs[key] = LineSpec(
                kinds[kind],
                description,
                Decimal(hours) / 100 if hours is not None else None,
                from_pence(amount) if amount is not None else None,
                provider,
            )
        by_budget[budget_id].append(spec)
    plans: dict[int, list[PlanVersion]] = defaultdict(list)
    for budget_id, account_id, start, contribution, basis in core().execute(
        budgets.order_by(Budget.effective_from, Budget.version)
    ):
        if contribution not in pounds:
            pounds[contribution] = from_pence(contribution)
        plans[account_id].append(
            PlanVersion(budget_id, start, pounds[contribution], basis, tuple(by_budget[budget_id]))
        )
    return plans


def weekly_on(
    versions: list[PlanVersion],
    book: RateBook,
    account_start: date,
    account_end: date | None,
    day: date,
) -> Weekly:
    if day < account_start or (account_end is not None and day > account_end):
        return Weekly.nothing()
    plan = None
    for version in versions:
        if version.effective_from <= day:
            plan = version
    if plan is None:
        return Weekly.nothing()
    # Many accounts share the same lines; price each set once per day.
    return book.cached(
        ("weekly", plan.lines, plan.contribution, plan.basis, day), lambda: _price(plan, book, day)
    )


def _price(plan: PlanVersion, book: RateBook, day: date) -> Weekly:
    pa = book.pa_rate_on(day)
    priced = price_lines(
        list(plan.lines),
        pa.total if pa else None,
        lambda org: book.provider_rate_on(org, day),
        explain=False,
    )
    net = plan.basis == "net"
    return Weekly(
        weekly_total(priced),
        plan.contribution if net else ZERO,
        tuple((p.spec.description, p.weekly) for p in priced),
        ZERO if net else plan.contribution,
    )


def account_period_amount(
    period: Period, versions: list[PlanVersion], book: RateBook, start: date, end: date | None
) -> PeriodAmount:
    # Most accounts: nothing starts or stops inside the period, so it is one piece.
    if (
        start <= period.start
        and (end is None or end >= period.end)
        and not book.changes_within(period.start, period.end)
        and not any(period.start < v.effective_from <= period.end for v in versions)
    ):
        weekly = weekly_on(versions, book, start, end, period.start)
        # Accounts with the same weekly figures share one priced period (and its breakdown).
        return book.cached(
            ("period", id(weekly), period),
            lambda: PeriodAmount(period, (Segment(period.start, period.end, weekly),)),
        )
    changes = {v.effective_from for v in versions} | book.change_dates() | {start}
    if end is not None:
        changes.add(end + timedelta(days=1))
    return period_amount(period, lambda day: weekly_on(versions, book, start, end, day), changes)


# --- Building a run ------------------------------------------------------------------------


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
    period = period_for(schedule, period_index)
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

    book = rate_book()
    accounts = (
        core()
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
    plans = load_plans()
    managed = set(
        db.session.execute(
            select(Mandate.account_id).where(
                Mandate.scope == "manage_money", Mandate.current_on(period.start)
            )
        ).scalars()
    )
    past = _arrears_inputs(period, schedule)
    recoveries = _open_offsets()

    rows = []
    total = paid_count = withheld = 0
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
                _line(run.id, account_id, option, managed, 0, 0, "withhold", str(exc), "{}") | payee
            )
            withheld += 1
            continue
        arrears_items = _arrears_for(account_id, versions, book, start, end, past)
        arrears = sum(item["due_pence"] for item in arrears_items)
        if account_id in recoveries and status == "active":
            amount = _with_offsets(amount, recoveries[account_id])
        breakdown_json = (
            json.dumps(amount.breakdown() | {"arrears": arrears_items}, separators=(",", ":"))
            if arrears_items or amount.offsets
            else amount.breakdown_json
        )
        amount_pence = amount.total_pence
        reason = None
        if status == "closed":
            reason = "Account closed"
        elif not versions:
            reason = "No approved budget"
        elif status == "suspended":
            reason = "Account suspended: payments withheld until it is reinstated"
        elif not sort_code:
            reason = "No bank details"
        elif amount_pence + arrears <= 0:
            reason = "Nothing to pay: the amount is zero or less"
        outcome = "withhold" if reason else "pay"
        rows.append(
            _line(
                run.id,
                account_id,
                option,
                managed,
                amount_pence,
                arrears,
                outcome,
                reason,
                breakdown_json,
                amount.contribution_pence,
                amount.invoiced_pence,
                to_pence(amount.offset_total),
            )
            | payee
        )
        if outcome == "pay":
            total += amount_pence + arrears
            paid_count += 1
        else:
            withheld += 1
    insert_rows(db.session, RunLine.__table__, rows)
    run.total_pence, run.payment_count, run.withheld_count = total, paid_count, withheld
    audit.record(
        actor,
        "payment_run.built",
        run,
        summary=f"Run for {period.start:%d %B %Y} built: {paid_count} payments, "
        f"{from_pence(total)} pounds, {withheld} withheld"
        + (f"; paid late: {run.late_reason}" if run.late_reason else ""),
        after={
            "total_pence": total,
            "payments": paid_count,
            "withheld": withheld,
            "pay_date": pay_date.isoformat(),
            "late_reason": run.late_reason,
        },
    )
    return run


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


# --- Arrears -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastPeriods:
    """Committed periods within the horizon, what was paid for them, and which accounts need
    them priced again (everyone after a back-dated rate change)."""

    periods: list[tuple[int, Period]]
    paid: dict[tuple[int, int], int]
    unpaid: dict[int, set[int]]  # period index -> accounts withheld in that period's run
    repriced_all: set[int]  # period indexes every account must be priced again for
    repriced_accounts: dict[int, set[int]]  # period index -> accounts with a later budget


def _arrears_inputs(period: Period, schedule: PaymentSchedule) -> PastPeriods:
    # Arrears look back to the start of the previous financial year.
    horizon = financial_year_start(financial_year_start(period.start) - timedelta(days=1))
    runs = db.session.execute(
        select(PaymentRun.id, PaymentRun.period_index, PaymentRun.committed_at).where(
            PaymentRun.status == RunStatus.COMMITTED,
            PaymentRun.period_start >= horizon,
            PaymentRun.period_start < period.start,
        )
    ).all()
    if not runs:
        return PastPeriods([], {}, {}, set(), {})
    periods = [(index, period_for(schedule, index)) for _, index, _ in runs]
    indexes = [index for _, index, _ in runs]
    paid: dict[tuple[int, int], int] = defaultdict(int)
    for account_id, index, amount in db.session.execute(
        select(Payment.account_id, Payment.period_index, func.sum(Payment.amount_pence))
        .where(Payment.period_index.in_(indexes))
        .group_by(Payment.account_id, Payment.period_index)
    ):
        paid[(account_id, index)] = int(amount)
    unpaid: dict[int, set[int]] = defaultdict(set)
    for run_id, index, _ in runs:
        unpaid[index] = set(
            db.session.execute(
                select(RunLine.account_id).where(
                    RunLine.run_id == run_id, RunLine.outcome == "withhold"
                )
            ).scalars()
        )
        unpaid[index] -= {a for (a, i) in paid if i == index}
    repriced_all: set[int] = set()
    repriced_accounts: dict[int, set[int]] = defaultdict(set)
    for _run_id, index, committed_at in runs:
        p = period_for(schedule, index)
        later_rate = db.session.execute(
            select(RateRow.id)
            .where(RateRow.created_at > committed_at, RateRow.effective_from <= p.end)
            .limit(1)
        ).first()
        if later_rate:
            repriced_all.add(index)
            continue
        repriced_accounts[index] = set(
            db.session.execute(
                select(Budget.account_id).where(
                    Budget.status == "approved",
                    Budget.decided_at > committed_at,
                    Budget.effective_from <= p.end,
                )
            ).scalars()
        ) | set(
            # A correction recorded since (a returned payment, say) changes what is owed.
            db.session.execute(
                select(Payment.account_id).where(
                    Payment.kind == "adjustment",
                    Payment.period_index == index,
                    Payment.created_at > committed_at,
                )
            ).scalars()
        )
    return PastPeriods(periods, dict(paid), dict(unpaid), repriced_all, dict(repriced_accounts))


def _arrears_for(account_id, versions, book, start, end, past: PastPeriods) -> list[dict]:
    items = []
    for index, p in past.periods:
        needs = (
            index in past.repriced_all
            or account_id in past.repriced_accounts.get(index, ())
            or account_id in past.unpaid.get(index, ())
        )
        if not needs:
            continue
        expected = to_pence(account_period_amount(p, versions, book, start, end).total)
        paid = past.paid.get((account_id, index), 0)
        if expected != paid:
            items.append(
                {
                    "period_index": index,
                    "from": p.start.isoformat(),
                    "to": p.end.isoformat(),
                    "expected_pence": expected,
                    "paid_pence": paid,
                    "due_pence": expected - paid,
                }
            )
    return items


# --- Approving and committing --------------------------------------------------------------


def approve_run(run: PaymentRun, *, actor) -> None:
    if run.status != RunStatus.BUILT:
        raise RuleError("Only a run that has been built and not yet approved can be approved")
    if run.built_by_id == actor.id:
        raise RuleError("A different finance officer must approve the run you built")
    _refuse_if_stale(run)
    why = run_review.blocked_approvers(run).get(actor.id)
    if why:
        raise RuleError(
            f"You cannot approve this run: you {why}. A finance officer who did not must approve it"
        )
    run.status = RunStatus.APPROVED
    run.approved_by_id = actor.id
    run.approved_at = utcnow()
    audit.record(
        actor,
        "payment_run.approved",
        run,
        summary="Payment run approved",
        before={"status": "built"},
        after={"status": "approved"},
    )


def _refuse_if_stale(run: PaymentRun) -> None:
    reasons = run_review.stale_reasons(run)
    if reasons:
        raise RuleError(
            "Things this run was worked out from have changed since it was built ("
            + "; ".join(reasons)
            + "). Cancel it and build it again, then ask for approval again"
        )


def cancel_run(run: PaymentRun, *, actor) -> None:
    if run.status not in (RunStatus.BUILT, RunStatus.APPROVED):
        raise RuleError("A committed run cannot be cancelled: correct payments with adjustments")
    before = run.status
    run.status = RunStatus.CANCELLED
    audit.record(
        actor,
        "payment_run.cancelled",
        run,
        summary="Payment run cancelled",
        before={"status": before},
        after={"status": "cancelled"},
    )


def commit_run(run_id: int, *, actor) -> int:
    """Write the run's payments and ledger credits, once. Returns how many payments.

    The conditional UPDATE is the gate: of two officers committing at the same moment, or a
    retry after a crash, only one finds the run approved. The unique index on payments is the
    backstop if two runs ever cover the same period.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK_KEY})
    run = session.get(PaymentRun, run_id)
    if run is None:
        raise RuleError("There is no such run")
    if run.status == RunStatus.COMMITTED:
        raise RuleError("This run has already been committed")
    _refuse_if_stale(run)
    run_periods.check_commit_order(run)
    now = utcnow()
    try:
        gate = session.execute(
            update(PaymentRun)
            .where(and_(PaymentRun.id == run_id, PaymentRun.status == RunStatus.APPROVED))
            .values(status=RunStatus.COMMITTED, committed_by_id=actor.id, committed_at=now)
            .execution_options(synchronize_session=False)
        )
    except OperationalError as exc:
        # SQLite: another transaction is writing (it refuses the second writer outright).
        raise RuleError(
            "Another officer is committing payments at this moment. Wait a minute, then "
            "look at the run again: it will show whether it was committed."
        ) from exc
    if gate.rowcount != 1:
        raise RuleError("This run has already been committed, or has not been approved")
    session.expire(run)

    # The period's payments are copied from the run lines inside the database: no row makes a
    # round trip through Python, which is what makes a 100,000-account commit quick.
    paid_lines = and_(RunLine.run_id == run_id, RunLine.outcome == "pay")
    payment_columns = [
        "account_id",
        "run_id",
        "period_index",
        "period_start",
        "period_end",
        "payee_type",
        "kind",
        "amount_pence",
        "pay_date",
        "breakdown_json",
        "payee_name",
        "sort_code",
        "account_number",
        "created_at",
    ]
    session.execute(
        insert(Payment.__table__).from_select(
            payment_columns,
            select(
                RunLine.account_id,
                literal(run_id),
                literal(run.period_index),
                literal(run.period_start, Date()),
                literal(run.period_end, Date()),
                RunLine.payee_type,
                literal("regular"),
                RunLine.amount_pence,
                literal(run.pay_date, Date()),
                RunLine.breakdown_json,
                RunLine.payee_name,
                RunLine.sort_code,
                RunLine.account_number,
                literal(now, UTCDateTime()),
            ).where(paid_lines),
        )
    )
    # Arrears are few: one payment row for each earlier period owed, itemised.
    arrears = []
    for account_id, payee_type, breakdown_json, name, sort_code, number in session.execute(
        select(
            RunLine.account_id,
            RunLine.payee_type,
            RunLine.breakdown_json,
            RunLine.payee_name,
            RunLine.sort_code,
            RunLine.account_number,
        ).where(paid_lines, RunLine.arrears_pence != 0)
    ):
        for item in json.loads(breakdown_json).get("arrears", []):
            arrears.append(
                {
                    "account_id": account_id,
                    "run_id": run_id,
                    "period_index": item["period_index"],
                    "period_start": date.fromisoformat(item["from"]),
                    "period_end": date.fromisoformat(item["to"]),
                    "payee_type": payee_type,
                    "kind": "arrears",
                    "amount_pence": item["due_pence"],
                    "pay_date": run.pay_date,
                    "breakdown_json": json.dumps(item),
                    "payee_name": name,
                    "sort_code": sort_code,
                    "account_number": number,
                    "created_at": now,
                }
            )
    if arrears:
        session.execute(insert(Payment.__table__), arrears)
    ledger_columns = [
        "account_id",
        "entry_date",
        "kind",
        "amount_pence",
        "payment_id",
        "description",
        "created_at",
    ]
    session.execute(
        insert(LedgerEntry.__table__).from_select(
            ledger_columns,
            select(
                Payment.account_id,
                Payment.pay_date,
                literal("payment"),
                Payment.amount_pence,
                Payment.id,
                literal("Direct payment"),
                Payment.created_at,
            ).where(Payment.run_id == run_id),
        )
    )
    # Net payments: the person pays their contribution into the account themselves.
    session.execute(
        insert(LedgerEntry.__table__).from_select(
            ledger_columns,
            select(
                RunLine.account_id,
                literal(run.pay_date, Date()),
                literal("contribution"),
                RunLine.contribution_pence,
                literal(None, Integer()),
                literal("Your contribution for the period, paid in by you"),
                literal(now, UTCDateTime()),
            ).where(paid_lines, RunLine.contribution_pence > 0),
        )
    )
    _record_invoices(run, paid_lines)
    _apply_offsets(run_id)
    count = run.payment_count
    audit.record(
        actor,
        "payment_run.committed",
        object_type="payment_runs",
        object_id=run_id,
        summary=f"Run for {run.period_start:%d %B %Y} committed: {count} payments",
        before={"status": "approved"},
        after={"status": "committed", "payments": count, "total_pence": run.total_pence},
    )
    return count


def run_totals(run_id: int) -> dict:
    """Totals by SDS option and payee type, and the reasons lines were withheld."""
    by_option = db.session.execute(
        select(
            RunLine.sds_option,
            RunLine.payee_type,
            func.count(),
            func.sum(RunLine.amount_pence + RunLine.arrears_pence),
        )
        .where(RunLine.run_id == run_id, RunLine.outcome == "pay")
        .group_by(RunLine.sds_option, RunLine.payee_type)
        .order_by(RunLine.sds_option, RunLine.payee_type)
    ).all()
    reasons = db.session.execute(
        select(RunLine.reason, func.count())
        .where(RunLine.run_id == run_id, RunLine.outcome == "withhold")
        .group_by(RunLine.reason)
        .order_by(func.count().desc())
    ).all()
    return {
        "by_option": [
            (opt, payee, count, from_pence(int(total or 0)))
            for opt, payee, count, total in by_option
        ],
        "withheld": [(reason, count) for reason, count in reasons],
    }


def account_balance(account_id: int) -> Decimal:
    total = db.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0)).where(
            LedgerEntry.account_id == account_id
        )
    ).scalar()
    return from_pence(int(total))


def payments_for_account(account_id: int) -> list[Payment]:
    return list(
        db.session.execute(
            select(Payment)
            .where(Payment.account_id == account_id)
            .order_by(Payment.pay_date.desc(), Payment.id.desc())
        ).scalars()
    )


# --- Files for the bank ----------------------------------------------------------------------


def reference_suffix(period_start: date) -> str:
    """What follows the account reference on the person's bank statement: the period."""
    return f"{period_start:%d%b%y}".upper()


def run_transfers(run_id: int) -> list[Transfer]:
    """One credit per account and payee: the period's payment plus any arrears."""
    run = db.session.get(PaymentRun, run_id)
    # Core, not ORM, execution: plain tuples for 100,000 rows, without ORM result handling.
    rows = (
        core()
        .execute(
            select(
                Payment.account_id,
                Payment.payee_type,
                Account.reference,
                Payment.payee_name,
                Payment.sort_code,
                Payment.account_number,
                Payment.amount_pence,
            )
            .join(Account, Account.id == Payment.account_id)
            .where(Payment.run_id == run_id)
            .order_by(Payment.account_id, Payment.payee_type, Payment.id)
        )
        .all()
    )
    suffix = reference_suffix(run.period_start)
    transfers = []
    for _, group in groupby(rows, key=lambda row: (row[0], row[1])):
        group = list(group)
        total = sum(row[6] for row in group)
        _, _, reference, name, sort_code, number, _ = group[0]
        if total > 0:
            transfers.append(Transfer(sort_code, number, name, total, f"{reference} {suffix}"))
    return transfers


def originator(config) -> Originator:
    return Originator(
        config["BACS_ORIGINATOR_SORT_CODE"],
        config["BACS_ORIGINATOR_ACCOUNT"],
        config["BACS_ORIGINATOR_NAME"],
    )


def bank_file(run_id: int, config, fmt: str) -> str:
    """The run's payment file: Bacs Standard 18 ('txt'), or the same credits as CSV ('csv')."""
    transfers = run_transfers(run_id)
    if fmt == "csv":
        return csv_file(transfers)
    return standard18_file(transfers, originator(config))


def download_bank_file(run: PaymentRun, config, fmt: str, *, actor) -> tuple[str, str, str]:
    """The committed run's bank file (body, file name, type), with who took it in the audit
    log: a bank file is money leaving, and auditors ask who had it."""
    if run.status != RunStatus.COMMITTED or fmt not in ("txt", "csv"):
        raise NotFound(f"bank file {fmt} for run {run.id}")
    body = bank_file(run.id, config, fmt)
    name = f"payments-{run.period_start:%Y-%m-%d}.{fmt}"
    audit.record(
        actor,
        "download.bank_file",
        run,
        summary=f"Downloaded the {'Bacs' if fmt == 'txt' else 'CSV'} bank file for the run of "
        f"{run.period_start:%d %B %Y}",
        after={"file": name, "payments": run.payment_count, "total_pence": run.total_pence},
    )
    return body, name, "text/plain" if fmt == "txt" else "text/csv"


def download_run_report(run: PaymentRun, *, actor) -> bytes:
    data = run_report_xlsx(run.id)
    audit.record(
        actor,
        "download.run_report",
        run,
        summary=f"Downloaded the run report for {run.period_start:%d %B %Y}",
    )
    return data


def run_report_xlsx(run_id: int) -> bytes:
    """The run for the record: a summary sheet and every account's line, with reasons."""

    run = db.session.get(PaymentRun, run_id)
    totals = run_totals(run_id)
    summary = [
        ["Period", f"{run.period_start.isoformat()} to {run.period_end.isoformat()}"],
        ["Pay date", run.pay_date.isoformat()],
        ["Status", str(run.status)],
        ["Payments", run.payment_count],
        ["Total", from_pence(run.total_pence)],
        ["Withheld", run.withheld_count],
        *(
            [f"Option {option}, paid to {payee}", count, total]
            for option, payee, count, total in totals["by_option"]
        ),
        *([f"Withheld: {reason}", count] for reason, count in totals["withheld"]),
    ]
    lines = db.session.execute(
        select(
            Account.reference,
            Person.first_name + " " + Person.last_name,
            RunLine.sds_option,
            RunLine.payee_type,
            RunLine.amount_pence,
            RunLine.arrears_pence,
            RunLine.outcome,
            RunLine.reason,
        )
        .join(Account, Account.id == RunLine.account_id)
        .join(Person, Person.id == Account.person_id)
        .where(RunLine.run_id == run_id)
        .order_by(Account.reference)
    )
    rows = (
        [
            ref,
            name,
            option,
            payee,
            from_pence(amount),
            from_pence(arrears),
            from_pence(amount + arrears),
            outcome,
            reason or "",
        ]
        for ref, name, option, payee, amount, arrears, outcome, reason in lines
    )
    return workbook_bytes(
        {
            "Summary": (["Item", "Value", "Amount"], summary),
            "Accounts": (
                [
                    "Account",
                    "Supported person",
                    "SDS option",
                    "Paid to",
                    "This period",
                    "Arrears",
                    "Total",
                    "Outcome",
                    "Reason withheld",
                ],
                rows,
            ),
        }
    )


# --- Corrections ---------------------------------------------------------------------------


def record_adjustment(
    payment: Payment, *, amount: Decimal, on: date, reason: str, actor
) -> Payment:
    """Correct a committed payment without editing it: money returned by the bank (negative)
    or paid outside a run (positive). The next run pays or nets off what is then owed."""
    if payment.kind == "adjustment":
        raise RuleError("Correct the original payment, not a correction")
    if amount == 0:
        raise RuleError("Enter an amount that is not zero")
    adjustment = Payment(
        account_id=payment.account_id,
        run_id=None,
        period_index=payment.period_index,
        period_start=payment.period_start,
        period_end=payment.period_end,
        payee_type=payment.payee_type,
        kind="adjustment",
        amount_pence=to_pence(amount),
        pay_date=on,
        breakdown_json=json.dumps({"reason": reason, "corrects": payment.id}),
        corrects_payment_id=payment.id,
        payee_name=payment.payee_name,
        sort_code=payment.sort_code,
        account_number=payment.account_number,
    )
    db.session.add(adjustment)
    db.session.flush()
    db.session.add(
        LedgerEntry(
            account_id=payment.account_id,
            entry_date=on,
            kind="adjustment",
            amount_pence=adjustment.amount_pence,
            payment_id=adjustment.id,
            description=f"Correction: {reason}"[:200],
        )
    )
    audit.record(
        actor,
        "payment.adjusted",
        adjustment,
        account_id=payment.account_id,
        summary=f"Correction of {amount} pounds to the payment of {payment.pay_date:%d %B %Y}",
        after={"corrects": payment.id, "amount": str(amount), "reason": reason},
    )
    return adjustment


def _record_invoices(run: PaymentRun, paid_lines) -> None:
    """Gross payment: the person asked to be paid in full and invoiced for their contribution
    (reg. 4 of the 2014 Direct Payments Regulations), so each is sent an invoice letter."""
    rows = db.session.execute(
        select(RunLine.account_id, RunLine.invoice_pence, Account.reference)
        .join(Account, Account.id == RunLine.account_id)
        .where(paid_lines, RunLine.invoice_pence > 0)
    ).all()
    if not rows:
        return
    recipients = correspondents([account_id for account_id, _, _ in rows])
    record_letters(
        [
            letter_row(
                account_id=account_id,
                kind="contribution_invoice",
                subject="Invoice for your contribution",
                to=recipients[account_id],
                context={
                    "reference": reference,
                    "invoice_number": f"{reference}-{run.period_start:%Y%m%d}",
                    "amount": str(from_pence(invoice)),
                    "period_start": run.period_start.isoformat(),
                    "period_end": run.period_end.isoformat(),
                    "due": (run.pay_date + timedelta(days=28)).isoformat(),
                },
            )
            for account_id, invoice, reference in rows
        ]
    )


# --- Recoveries by offset ------------------------------------------------------------------


def _open_offsets() -> dict[int, list[tuple[int, int]]]:
    """Open recoveries to take from payments: account -> [(recovery id, pence outstanding)]."""
    offsets: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for recovery_id, account_id, amount, recovered in core().execute(
        select(Recovery.id, Recovery.account_id, Recovery.amount_pence, Recovery.recovered_pence)
        .where(Recovery.status == "open", Recovery.method == "offset")
        .order_by(Recovery.id)
    ):
        offsets[account_id].append((recovery_id, amount - recovered))
    return offsets


def _with_offsets(amount: PeriodAmount, open_recoveries: list[tuple[int, int]]) -> PeriodAmount:
    """Take what is owed from this payment, never below zero, oldest recovery first."""
    available = to_pence(round_money(amount.budget - amount.contribution))
    offsets = []
    for recovery_id, outstanding in open_recoveries:
        take = min(outstanding, available)
        if take <= 0:
            break
        offsets.append((f"Recovery {recovery_id}", from_pence(take)))
        available -= take
    return PeriodAmount(amount.period, amount.segments, tuple(offsets))


def _apply_offsets(run_id: int) -> None:
    """At commit: record what each offset recovered, closing recoveries paid in full."""
    for (breakdown_json,) in core().execute(
        select(RunLine.breakdown_json).where(
            RunLine.run_id == run_id, RunLine.outcome == "pay", RunLine.offset_pence > 0
        )
    ):
        for label, amount in json.loads(breakdown_json).get("offsets", []):
            recovery = db.session.get(Recovery, int(label.split()[-1]))
            recovery.recovered_pence += to_pence(Decimal(amount))
            if recovery.recovered_pence >= recovery.amount_pence:
                recovery.status = "recovered"
