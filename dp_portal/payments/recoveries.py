"""Recoveries: money the council asks back, raised by monitoring through payments' services
and taken by offset from the next payment runs (never below zero), or invoiced.

Recoveries belong to payments so that payments never imports monitoring.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from ..accounts.correspondents import correspondents
from ..accounts.models import Account, Person
from ..core import audit
from ..core.errors import RuleError
from ..core.letters import letter_row, record_letters
from ..core.money import from_pence, round_money, to_pence
from ..core.spreadsheets import workbook_bytes
from ..core.types import local_date, local_day_start
from ..extensions import db
from . import repayments as repayments_rules
from .ledger_models import LedgerEntry, Recovery, RecoveryRepayment
from .lifecycles import RecoveryStatus, move
from .run_models import RunLine
from .schedule import PeriodAmount


def raise_recovery(
    account: Account,
    *,
    amount: Decimal,
    method: str,
    reason: str,
    source: str,
    working: dict,
    actor,
):
    """Ask for money back. By offset, the next payment runs deduct it (never below zero); by
    invoice, the correspondent is sent an invoice. Either way they get a letter showing the
    working and how to question it."""
    if amount <= 0:
        raise RuleError("A recovery must be more than £0.00")
    recovery = Recovery(
        account_id=account.id,
        amount_pence=to_pence(amount),
        method=method,
        reason=reason,
        source=source,
        created_by_id=actor.id,
    )
    db.session.add(recovery)
    db.session.flush()
    recipient = correspondents([account.id])[account.id]
    record_letters(
        [
            letter_row(
                account_id=account.id,
                kind="recovery",
                subject="We are asking for some of your direct payment back",
                to=recipient,
                context={
                    "reference": account.reference,
                    "amount": str(amount),
                    "method": method,
                    "reason": reason,
                    "source": source,
                    **{key: str(value) for key, value in working.items()},
                },
            )
        ]
    )
    audit.record(
        actor,
        "recovery.raised",
        recovery,
        account_id=account.id,
        summary=f"Recovery of {amount} pounds by {method}: {reason}"[:300],
        after={"amount": str(amount), "method": method, "source": source},
    )
    return recovery


def open_offsets() -> dict[int, list[tuple[int, int]]]:
    """Open recoveries to take from payments: account -> [(recovery id, pence outstanding)]."""
    offsets: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for recovery_id, account_id, amount, recovered in db.session.connection().execute(
        select(Recovery.id, Recovery.account_id, Recovery.amount_pence, Recovery.recovered_pence)
        .where(Recovery.status == RecoveryStatus.OPEN, Recovery.method == "offset")
        .order_by(Recovery.id)
    ):
        offsets[account_id].append((recovery_id, amount - recovered))
    return offsets


def with_offsets(amount: PeriodAmount, open_recoveries: list[tuple[int, int]]) -> PeriodAmount:
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


def apply_offsets(run_id: int) -> None:
    """At commit: record what each offset recovered, closing recoveries paid in full."""
    for (breakdown_json,) in db.session.connection().execute(
        select(RunLine.breakdown_json).where(
            RunLine.run_id == run_id, RunLine.outcome == "pay", RunLine.offset_pence > 0
        )
    ):
        for label, amount in json.loads(breakdown_json).get("offsets", []):
            recovery = db.session.get(Recovery, int(label.split()[-1]))
            recovery.recovered_pence += to_pence(Decimal(amount))
            if recovery.recovered_pence >= recovery.amount_pence:
                move(recovery, RecoveryStatus.RECOVERED)


# --- Invoiced recoveries paid back (all, or in parts) ------------------------------------


@dataclass(frozen=True)
class RecoveryPage:
    recovery: Recovery
    account: Account
    repayments: list[RecoveryRepayment]
    outstanding: Decimal
    raised_on: date
    band: str | None  # how old the debt is, while it is owed by invoice


def recovery_page(recovery: Recovery, today: date) -> RecoveryPage:
    repayments = list(
        db.session.execute(
            select(RecoveryRepayment)
            .where(RecoveryRepayment.recovery_id == recovery.id)
            .order_by(RecoveryRepayment.received_on, RecoveryRepayment.id)
        ).scalars()
    )
    raised_on = _raised_on(recovery)
    owed = recovery.method == "invoice" and recovery.status == RecoveryStatus.OPEN
    return RecoveryPage(
        recovery,
        db.session.get(Account, recovery.account_id),
        repayments,
        from_pence(recovery.amount_pence - recovery.recovered_pence),
        raised_on,
        repayments_rules.age_band(raised_on, today) if owed else None,
    )


def _raised_on(recovery: Recovery) -> date:
    return local_date(recovery.created_at)


def record_repayment(
    recovery: Recovery,
    *,
    amount: Decimal,
    received_on: date,
    method: str,
    note: str,
    actor,
    today: date,
) -> RecoveryRepayment:
    """Record money paid back against an invoiced recovery: the ledger shows it, and the
    recovery closes when nothing is left to pay. Refuses (RuleError) what cannot be right."""
    db.session.refresh(recovery, with_for_update=True)  # two officers recording at once
    problem = repayments_rules.repayment_problem(
        method=recovery.method,
        status=recovery.status,
        outstanding_pence=recovery.amount_pence - recovery.recovered_pence,
        amount_pence=to_pence(amount),
        received_on=received_on,
        raised_on=_raised_on(recovery),
        today=today,
    )
    if problem:
        raise RuleError(problem)
    how = repayments_rules.METHODS[method]
    repayment = RecoveryRepayment(
        recovery_id=recovery.id,
        account_id=recovery.account_id,
        amount_pence=to_pence(amount),
        received_on=received_on,
        method=method,
        note=note.strip(),
        recorded_by_id=actor.id,
    )
    db.session.add(repayment)
    recovery.recovered_pence += repayment.amount_pence
    settled = recovery.recovered_pence == recovery.amount_pence
    if settled:
        move(recovery, RecoveryStatus.RECOVERED)
    db.session.add(
        LedgerEntry(
            account_id=recovery.account_id,
            entry_date=received_on,
            kind="recovery",
            amount_pence=-repayment.amount_pence,
            description=f"Paid back to the council ({how.lower()}): recovery {recovery.id}"[:200],
        )
    )
    db.session.flush()
    left = from_pence(recovery.amount_pence - recovery.recovered_pence)
    audit.record(
        actor,
        "recovery.repaid",
        repayment,
        account_id=recovery.account_id,
        summary=f"{amount} pounds paid back against recovery {recovery.id} ({how.lower()}); "
        + ("nothing left to pay" if settled else f"{left} pounds still owed"),
        after={"amount": str(amount), "received_on": received_on.isoformat(), "method": method},
    )
    return repayment


@dataclass(frozen=True)
class AgedDebts:
    bands: list[tuple[str, int, Decimal]]  # (band, recoveries, owed), youngest first
    total: Decimal
    rows: list[tuple[Recovery, str, str, Decimal, str]]  # recovery, reference, person, owed, band


def aged_invoices(today: date, limit: int | None = 500) -> AgedDebts:
    """Invoiced recoveries still owed, oldest first, with totals by how old they are (added
    up in the database; the list shows the oldest `limit`)."""
    owed = Recovery.amount_pence - Recovery.recovered_pence
    open_invoices = (Recovery.method == "invoice", Recovery.status == RecoveryStatus.OPEN)
    # Raised no more than N days ago: on or after the start of the day N days before today.
    band = case(
        *[
            (Recovery.created_at >= local_day_start(today - timedelta(days=days)), label)
            for days, label in repayments_rules.AGE_BANDS
        ],
        else_=repayments_rules.OLDEST_BAND,
    )
    sums = dict(
        (label, (count, from_pence(int(total))))
        for label, count, total in db.session.execute(
            select(band, func.count(), func.sum(owed)).where(*open_invoices).group_by(band)
        )
    )
    bands = [(label, *sums.get(label, (0, from_pence(0)))) for label in repayments_rules.BAND_ORDER]
    rows = db.session.execute(
        select(Recovery, Account.reference, Person.first_name + " " + Person.last_name)
        .join(Account, Account.id == Recovery.account_id)
        .join(Person, Person.id == Account.person_id)
        .where(*open_invoices)
        .order_by(Recovery.created_at, Recovery.id)
        .limit(limit)
    ).all()
    listed = [
        (
            r,
            ref,
            name,
            from_pence(r.amount_pence - r.recovered_pence),
            repayments_rules.age_band(_raised_on(r), today),
        )
        for r, ref, name in rows
    ]
    return AgedDebts(bands, sum((b[2] for b in bands), from_pence(0)), listed)


def aged_workbook(today: date) -> tuple[bytes, str]:
    """Every invoiced recovery still owed, as a spreadsheet (money as money, never a float)."""
    aged = aged_invoices(today, limit=None)
    heading = ["Account", "Person", "Raised on", "Amount", "Paid back", "Still owed", "Age"]
    rows = [
        [
            reference,
            name,
            _raised_on(r),
            from_pence(r.amount_pence),
            from_pence(r.recovered_pence),
            owed,
            band,
        ]
        for r, reference, name, owed, band in aged.rows
    ]
    data = workbook_bytes({"Invoiced recoveries owed": (heading, rows)})
    return data, f"recoveries-owed-{today.isoformat()}.xlsx"
