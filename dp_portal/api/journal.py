"""The finance journal: every ledger entry of every account (committed payments with their
run, the person's contributions, corrections and money paid back), in the order they were
written, read a page at a time from a cursor.

The cursor is the id of the last entry read. Entries are append-only (the database refuses
to change them) and their ids only grow, so reading from a cursor returns the same entries
every time, and entries written later appear only after it: a finance system that keeps the
last cursor it was given reads each entry exactly once.

That needs one more thing on PostgreSQL, where ids are handed out when a row is inserted but
rows appear when their transaction commits: a payment run still committing may hold id 100
while a correction that took id 101 has already committed. A reader that saw 101 and moved
its cursor past it would never see 100. So the reader first takes a SHARE lock on the table,
which waits for every transaction still writing entries to finish (and holds new writers back
for the moment of the read): after it, no id below the largest one visible can still appear.
SQLite needs nothing: it has one writer at a time, so entries commit in id order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from ..accounts.models import Account
from ..extensions import db
from ..payments.ledger_models import LedgerEntry, Payment
from .problems import ApiProblem

# How long a read waits for a payment run that is committing before answering "busy".
LOCK_WAIT_SECONDS = 5
KINDS = ("payment", "contribution", "adjustment", "recovery")


@dataclass(frozen=True)
class JournalQuery:
    after_id: int
    limit: int
    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None


@dataclass(frozen=True)
class PaymentRef:
    id: int
    run_id: int | None
    kind: str
    period_start: date
    period_end: date
    pay_date: date
    payee_type: str
    corrects_payment_id: int | None


@dataclass(frozen=True)
class JournalLine:
    id: int
    entry_date: date
    recorded_at: datetime
    account_reference: str
    sds_option: int
    locality: str | None
    kind: str
    description: str
    amount_pence: int  # signed: money into the account is positive
    payment: PaymentRef | None


@dataclass(frozen=True)
class JournalPage:
    lines: list[JournalLine]
    last_id: int  # the cursor to read on from (the query's own when the page is empty)
    has_more: bool


def journal_page(query: JournalQuery) -> JournalPage:
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise ApiProblem(
            400,
            "The dates are the wrong way round.",
            errors=[{"parameter": "to", "detail": "to must be on or after from"}],
        )
    _wait_for_writers()
    statement = (
        select(LedgerEntry, Account.reference, Account.sds_option, Account.locality, Payment)
        .join(Account, Account.id == LedgerEntry.account_id)
        .outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
        .where(LedgerEntry.id > query.after_id)
        .order_by(LedgerEntry.id)
        .limit(query.limit + 1)
    )
    if query.date_from:
        statement = statement.where(LedgerEntry.entry_date >= query.date_from)
    if query.date_to:
        statement = statement.where(LedgerEntry.entry_date <= query.date_to)
    if query.kind:
        statement = statement.where(LedgerEntry.kind == query.kind)
    rows = db.session.execute(statement).all()
    lines = [_line(*row) for row in rows[: query.limit]]
    return JournalPage(lines, lines[-1].id if lines else query.after_id, len(rows) > query.limit)


def _wait_for_writers() -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return
    try:
        with db.session.begin_nested():
            db.session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT_SECONDS}s'"))
            db.session.execute(text("LOCK TABLE ledger_entries IN SHARE MODE"))
    except OperationalError:
        raise ApiProblem(
            503,
            "A payment run is being committed. Try again in a few seconds.",
            headers={"Retry-After": str(LOCK_WAIT_SECONDS)},
        ) from None


def _line(
    entry: LedgerEntry, reference: str, option: int, locality: str | None, payment: Payment | None
) -> JournalLine:
    paid = None
    if payment is not None:
        paid = PaymentRef(
            payment.id,
            payment.run_id,
            payment.kind,
            payment.period_start,
            payment.period_end,
            payment.pay_date,
            payment.payee_type,
            payment.corrects_payment_id,
        )
    return JournalLine(
        entry.id,
        entry.entry_date,
        entry.created_at,
        reference,
        option,
        locality,
        entry.kind,
        entry.description,
        entry.amount_pence,
        paid,
    )
