"""The monthly reconciliation of an organisation's pooled client account: rules and lifecycle.
Never commits.

The bank statement's closing balance must equal the sum of every client's sub-ledger at the
month's end, to the penny; every difference is listed with an explanation, and the council's
payment records are compared with the council payments posted (shared/design.md 2.5). A
month is prepared by one staff member and signed off by another (four eyes, 2.7)::

    open ──send for sign-off──▶ awaiting_sign_off ──sign off──▶ signed_off
      ▲                               │
      └──────────send back────────────┘

    open → awaiting_sign_off   every difference explained, nothing left unexplained
    awaiting_sign_off → open   the second person sends it back with a reason
    awaiting_sign_off → signed_off   a second staff member signs it off: the month is sealed

From "send for sign-off" the month is closed to postings (ledger.check_open), so the figures
the second person checks cannot move under them; a signed-off month stays sealed, and any
correction is an adjusting entry in an open month that names the line it corrects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..core.errors import RuleError
from ..core.money import ZERO, from_pence
from ..extensions import db
from ..payments.ledger_models import Payment
from ..third_party.models import Mandate
from ..third_party.money_models import (
    ClientBalance,
    ClientPosting,
    PooledReconciliation,
    ReconciliationDifference,
)


class RecStatus(StrEnum):
    OPEN = "open"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    SIGNED_OFF = "signed_off"

    @property
    def label(self) -> str:
        return {
            "open": "Being prepared",
            "awaiting_sign_off": "Waiting for sign-off",
            "signed_off": "Signed off",
        }[self.value]


TRANSITIONS: dict[RecStatus, frozenset[RecStatus]] = {
    RecStatus.OPEN: frozenset({RecStatus.AWAITING_SIGN_OFF}),
    RecStatus.AWAITING_SIGN_OFF: frozenset({RecStatus.OPEN, RecStatus.SIGNED_OFF}),
    RecStatus.SIGNED_OFF: frozenset(),
}
REFUSALS = {
    RecStatus.OPEN: "Only a month waiting for sign-off can be sent back",
    RecStatus.AWAITING_SIGN_OFF: "Only a month being prepared can be sent for sign-off",
    RecStatus.SIGNED_OFF: "Only a month waiting for sign-off can be signed off",
}


def move(rec: PooledReconciliation, to: RecStatus, **values) -> None:
    """Move a month to `to` with a conditional UPDATE: of two people acting at once, one
    moves it and the other is refused (RuleError)."""
    seen = RecStatus(rec.status)
    if to not in TRANSITIONS[seen]:
        raise RuleError(REFUSALS[to])
    moved = db.session.execute(
        update(PooledReconciliation)
        .where(PooledReconciliation.id == rec.id, PooledReconciliation.status == seen)
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise RuleError(REFUSALS[to])
    for key, value in {"status": to.value, **values}.items():
        set_committed_value(rec, key, value)


# Which way each kind of difference moves the statement away from the sub-ledgers.
DIFFERENCE_SIGN = {
    "statement_line_not_in_ledger": 1,  # money on the statement nobody's ledger holds yet
    "posting_not_on_statement": -1,  # a line entered that the bank has not shown yet
    "council_payment_not_received": -1,  # posted on the pay date, not yet in the bank
    "council_payment_not_posted": 1,  # in the bank (the council paid it), in no ledger
}


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def sealed_through(organisation_id: int) -> date | None:
    """The last day of the latest month sent for sign-off or signed off (None: none is)."""
    latest = db.session.execute(
        select(func.max(PooledReconciliation.month)).where(
            PooledReconciliation.organisation_id == organisation_id,
            PooledReconciliation.status != RecStatus.OPEN,
        )
    ).scalar_one()
    return month_end(latest) if latest is not None else None


@dataclass(frozen=True)
class Line:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Figures:
    """A month's figures with their working, every one in pounds."""

    ledger_total: Decimal
    clients: int
    statement_closing: Decimal | None
    differences: Decimal
    council_paid: Decimal
    council_posted: Decimal

    @property
    def gap(self) -> Decimal | None:
        if self.statement_closing is None:
            return None
        return self.statement_closing - self.ledger_total

    @property
    def unexplained(self) -> Decimal | None:
        return None if self.gap is None else self.gap - self.differences

    @property
    def working(self) -> list[Line]:
        who = "1 person" if self.clients == 1 else f"{self.clients} people"
        lines = [Line(f"Sub-ledgers at the month's end ({who})", self.ledger_total)]
        if self.statement_closing is not None:
            lines += [
                Line("Bank statement closing balance", self.statement_closing),
                Line("Statement less sub-ledgers", self.gap),
                Line("Differences listed below", self.differences),
                Line("Left to explain", self.unexplained),
            ]
        return lines


def council_payments(organisation_id: int, start: date, end: date):
    """The council's committed payments, paid from `start` to `end`, for accounts whose money
    the organisation managed on the pay date (the council's own records)."""
    return (
        select(Payment.id, Payment.account_id, Payment.amount_pence, Payment.pay_date)
        .join(
            Mandate,
            and_(
                Mandate.account_id == Payment.account_id,
                Mandate.organisation_id == organisation_id,
                Mandate.scope == "manage_money",
                Mandate.withdrawn_at.is_(None),
                Mandate.starts_on <= Payment.pay_date,
                or_(Mandate.ends_on.is_(None), Mandate.ends_on >= Payment.pay_date),
            ),
        )
        .where(
            Payment.pay_date >= start,
            Payment.pay_date <= end,
            Payment.run_id.is_not(None),
            Payment.amount_pence > 0,
        )
    )


def ledgers_at(organisation_id: int, end: date) -> tuple[int, int]:
    """(total in pence, people) of the organisation's sub-ledgers at the end of `end`.

    Each balance row always equals the sum of its lines (every posting updates both, under
    the row's lock), so the total at a day is today's balances less the lines dated after it:
    a few thousand balance rows and the month's later lines, not every line ever posted."""
    held, people = db.session.execute(
        select(func.coalesce(func.sum(ClientBalance.balance_pence), 0), func.count()).where(
            ClientBalance.organisation_id == organisation_id
        )
    ).one()
    later = db.session.execute(
        select(func.coalesce(func.sum(ClientPosting.amount_pence), 0)).where(
            ClientPosting.organisation_id == organisation_id, ClientPosting.entry_date > end
        )
    ).scalar_one()
    return int(held) - int(later), int(people)


def figures(rec: PooledReconciliation) -> Figures:
    end = month_end(rec.month)
    total, clients = ledgers_at(rec.organisation_id, end)
    differences = db.session.execute(
        select(func.coalesce(func.sum(ReconciliationDifference.amount_pence), 0)).where(
            ReconciliationDifference.reconciliation_id == rec.id
        )
    ).scalar_one()
    paid = dict(
        db.session.execute(
            council_payments(rec.organisation_id, rec.month, end).with_only_columns(
                Payment.id, Payment.amount_pence
            )
        ).all()
    )
    closing = rec.statement_closing_pence
    return Figures(
        ledger_total=from_pence(int(total)),
        clients=int(clients),
        statement_closing=None if closing is None else from_pence(closing),
        differences=from_pence(int(differences)),
        council_paid=from_pence(sum(paid.values())),
        council_posted=from_pence(_posted(rec.organisation_id, list(paid))),
    )


def _posted(organisation_id: int, payment_ids: list[int]) -> int:
    """What the organisation's sub-ledgers hold of these payments: looked up by the payment's
    unique index a thousand at a time, never by reading every line the organisation has.
    (The organisation is checked here, not in SQL: given both, SQLite's planner, with no
    statistics, reads all the organisation's lines through ix_client_postings_org_date.)"""
    total = 0
    for start in range(0, len(payment_ids), 1000):
        total += sum(
            pence
            for org_id, pence in db.session.execute(
                select(ClientPosting.organisation_id, ClientPosting.amount_pence).where(
                    ClientPosting.payment_id.in_(payment_ids[start : start + 1000])
                )
            )
            if org_id == organisation_id
        )
    return int(total)


def unposted_council_payments(rec: PooledReconciliation) -> list[tuple[int, int, int, date]]:
    """Council payments in the month not yet in any sub-ledger, nor already listed."""
    paid = council_payments(rec.organisation_id, rec.month, month_end(rec.month)).subquery()
    return [
        tuple(row)
        for row in db.session.execute(
            select(paid.c.id, paid.c.account_id, paid.c.amount_pence, paid.c.pay_date)
            .where(
                # An anti-join on uq_client_postings_payment_id: NOT IN read every posting of
                # every organisation into a hash first (and cannot be made a join, as NULLs
                # would change its answer).
                ~exists().where(ClientPosting.payment_id == paid.c.id),
                ~paid.c.id.in_(
                    select(ReconciliationDifference.payment_id).where(
                        ReconciliationDifference.reconciliation_id == rec.id,
                        ReconciliationDifference.payment_id.is_not(None),
                    )
                ),
            )
            .order_by(paid.c.pay_date, paid.c.id)
        )
    ]


def ready_problems(
    rec: PooledReconciliation, sums: Figures, unexplained: int, today: date
) -> list[str]:
    """Why the month cannot yet be sent for sign-off (empty: it can)."""
    problems = []
    if month_end(rec.month) >= today:
        problems.append("The month has not ended yet: reconcile it once it has")
    if sums.statement_closing is None:
        problems.append("Enter the bank statement's closing balance")
    elif sums.unexplained != ZERO:
        problems.append(
            "The statement and the sub-ledgers still differ by an amount no listed difference "
            "explains: list every difference"
        )
    if unexplained:
        problems.append("Explain every difference")
    return problems
