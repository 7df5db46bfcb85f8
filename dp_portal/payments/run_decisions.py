"""What officers decide about a built run: approve it (a second finance officer), commit it
exactly once, or cancel it. Never commits the transaction itself: the request does."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import Date, Integer, and_, insert, literal, select, text
from sqlalchemy.exc import OperationalError

from ..accounts.correspondents import correspondents
from ..accounts.models import Account
from ..core import audit
from ..core.errors import RuleError
from ..core.letters import letter_row, record_letters
from ..core.money import from_pence
from ..core.types import UTCDateTime, local_today, utcnow
from ..extensions import db
from . import hooks, lifecycles, run_periods, run_review
from .council_scale import cycle_collector_paused
from .ledger_models import LedgerEntry, Payment
from .lifecycles import RunStatus, move
from .recoveries import apply_offsets
from .run_models import PaymentRun, RunLine

RUN_LOCK_KEY = 7_431_001  # PostgreSQL advisory lock: one run commits at a time


def approve_run(run: PaymentRun, *, actor) -> None:
    lifecycles.check(run.status, RunStatus.APPROVED)
    if run.built_by_id == actor.id:
        raise RuleError("A different finance officer must approve the run you built")
    _refuse_if_stale(run)
    why = run_review.blocked_approvers(run).get(actor.id)
    if why:
        raise RuleError(
            f"You cannot approve this run: you {why}. A finance officer who did not must approve it"
        )
    move(run, RunStatus.APPROVED, approved_by_id=actor.id, approved_at=utcnow())
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
    before = move(run, RunStatus.CANCELLED)
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

    The conditional UPDATE of lifecycles.move is the gate: of two officers committing at the
    same moment, or a retry after a crash, only one finds the run approved. The unique index on
    payments is the backstop if two runs ever cover the same period.
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
    _pass_the_gate(run, actor, now)
    # The period's payments are copied from the run lines inside the database: no row makes a
    # round trip through Python, which is what makes a 100,000-account commit quick.
    paid_lines = and_(RunLine.run_id == run_id, RunLine.outcome == "pay")
    with cycle_collector_paused():
        _copy_payments(run, paid_lines, now)
        _copy_arrears(run, paid_lines, now)
        _let_the_planner_see_the_payments()
        _ledger_credits(run, paid_lines, now)
        _record_invoices(run, paid_lines)
        apply_offsets(run_id)
        hooks.run_committed(run_id)
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


def _pass_the_gate(run: PaymentRun, actor, now: datetime) -> None:
    """The conditional UPDATE (approved -> committed) that only one committer passes."""
    try:
        move(run, RunStatus.COMMITTED, committed_by_id=actor.id, committed_at=now)
    except OperationalError as exc:
        # SQLite: another transaction is writing (it refuses the second writer outright).
        raise RuleError(
            "Another officer is committing payments at this moment. Wait a minute, then "
            "look at the run again: it will show whether it was committed."
        ) from exc


PAYMENT_COLUMNS = [
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
LEDGER_COLUMNS = [
    "account_id",
    "entry_date",
    "kind",
    "amount_pence",
    "payment_id",
    "description",
    "created_at",
]


def _copy_payments(run: PaymentRun, paid_lines, now: datetime) -> None:
    db.session.execute(
        insert(Payment.__table__).from_select(
            PAYMENT_COLUMNS,
            select(
                RunLine.account_id,
                literal(run.id),
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


def _let_the_planner_see_the_payments() -> None:
    """PostgreSQL plans the statements that read this run's payments back (ledger credits,
    the client-money postings) from the table's statistics, which know nothing of the rows
    just inserted: on a council's first run it guessed a handful and joined mandates to them
    by rescanning the run's payments once per mandate (40 s of a 100,000-account commit).
    ANALYZE sees this transaction's own rows; only run_id's statistics are needed."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE payments (run_id)"))


def _copy_arrears(run: PaymentRun, paid_lines, now: datetime) -> None:
    """Arrears are few: one payment row for each earlier period owed, itemised."""
    arrears = []
    for account_id, payee_type, breakdown_json, name, sort_code, number in db.session.execute(
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
                    "run_id": run.id,
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
        db.session.execute(insert(Payment.__table__), arrears)


def _ledger_credits(run: PaymentRun, paid_lines, now: datetime) -> None:
    db.session.execute(
        insert(LedgerEntry.__table__).from_select(
            LEDGER_COLUMNS,
            select(
                Payment.account_id,
                Payment.pay_date,
                literal("payment"),
                Payment.amount_pence,
                Payment.id,
                literal("Direct payment"),
                Payment.created_at,
            ).where(Payment.run_id == run.id),
        )
    )
    # Net payments: the person pays their contribution into the account themselves.
    db.session.execute(
        insert(LedgerEntry.__table__).from_select(
            LEDGER_COLUMNS,
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
    # The same for every letter of the run: worked out once, not 4,500 times.
    period = {
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "due": (run.pay_date + timedelta(days=28)).isoformat(),
    }
    numbered, today = f"-{run.period_start:%Y%m%d}", local_today()
    record_letters(
        [
            letter_row(
                account_id=account_id,
                kind="contribution_invoice",
                subject="Invoice for your contribution",
                to=recipients[account_id],
                context={
                    "reference": reference,
                    "invoice_number": reference + numbered,
                    "amount": str(from_pence(invoice)),
                }
                | period,
                letter_date=today,
            )
            for account_id, invoice, reference in rows
        ]
    )
