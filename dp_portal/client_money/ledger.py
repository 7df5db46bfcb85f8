"""Client money rules: each managed person's sub-ledger inside the organisation's pooled
client account (shared/design.md 2.5). Never commits.

- Money in (council payments, the person's contribution, refunds received) is positive;
  money out (wages, HMRC, pension, invoices, other agreed spending, the fee, money returned to
  the council) is negative; a correction is an adjusting entry that names the line it corrects.
- No posting takes a sub-ledger below zero: one person's money is never used for another's.
  Every posting first locks the person's balance row (SELECT ... FOR UPDATE on PostgreSQL; on
  SQLite a no-op write takes the database's single writer lock before the balance is read), so
  of two postings at once the second waits and then sees the first one's balance. The
  balance row's CHECK (balance_pence >= 0) is the backstop.
- Months are sealed once a reconciliation is sent for sign-off: nothing is dated on or before
  the end of the latest such month (reconciliation.sealed_through).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core import audit
from ..core.errors import RuleError
from ..core.money import format_money, from_pence, to_pence
from ..core.types import utcnow
from ..extensions import db
from ..third_party.money_models import ClientBalance, ClientPosting, PostingKind
from .reconciliation import sealed_through


@dataclass(frozen=True)
class Entry:
    """A posting as staff enter it: the amount is what moved, always positive (the kind says
    which way), except for a correction, whose sign says which way it moves the balance."""

    kind: PostingKind
    amount: Decimal
    entry_date: date
    description: str


def signed_pence(kind: PostingKind, amount: Decimal) -> int:
    pence = to_pence(amount)
    if kind == PostingKind.ADJUSTMENT:
        if pence == 0:
            raise RuleError("Enter a correction that is not zero")
        return pence
    if pence <= 0:
        raise RuleError("Enter an amount of more than £0.00")
    return pence if kind.money_in else -pence


def check_open(organisation_id: int, entry_date: date) -> None:
    """Refuse a date in a month that has been sent for sign-off or signed off."""
    sealed = sealed_through(organisation_id)
    if sealed is not None and entry_date <= sealed:
        raise RuleError(
            f"The books are closed up to {sealed.day} {sealed:%B %Y}: enter a date after it. "
            "To put right an earlier line, correct it: the correction is dated in an open month"
        )


def balance_for(organisation_id: int, account_id: int) -> ClientBalance:
    """The person's balance row in the organisation's pooled account, made if it is new.
    (INSERT ... ON CONFLICT DO NOTHING, so two first postings at once make one row.)"""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(ClientBalance)
        .values(organisation_id=organisation_id, account_id=account_id, balance_pence=0)
        .on_conflict_do_nothing(index_elements=["organisation_id", "account_id"])
    )
    return db.session.execute(
        select(ClientBalance).where(
            ClientBalance.organisation_id == organisation_id,
            ClientBalance.account_id == account_id,
        )
    ).scalar_one()


def lock_balance(balance_id: int) -> int:
    """The balance, in pence, with the row locked until the transaction ends."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a no-op write takes the single writer lock first.
        db.session.execute(
            update(ClientBalance)
            .where(ClientBalance.id == balance_id)
            .values(balance_pence=ClientBalance.balance_pence)
        )
    return db.session.execute(
        select(ClientBalance.balance_pence)
        .where(ClientBalance.id == balance_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def post(
    balance: ClientBalance,
    entry: Entry,
    *,
    actor,
    corrects: ClientPosting | None = None,
    payment_id: int | None = None,
) -> ClientPosting:
    """Add one line to a sub-ledger, refusing anything that would take it below zero."""
    pence = signed_pence(entry.kind, entry.amount)
    check_open(balance.organisation_id, entry.entry_date)
    current = lock_balance(balance.id)
    after = current + pence
    if after < 0:
        raise RuleError(
            f"This would take the balance below zero: it is {format_money(from_pence(current))} "
            f"and this takes out {format_money(from_pence(-pence))}. One person's money is never "
            "used for another's: record the money coming in first"
        )
    db.session.execute(
        update(ClientBalance)
        .where(ClientBalance.id == balance.id)
        .values(balance_pence=after, updated_at=utcnow())
    )
    posting = ClientPosting(
        balance_id=balance.id,
        organisation_id=balance.organisation_id,
        account_id=balance.account_id,
        entry_date=entry.entry_date,
        kind=entry.kind.value,
        amount_pence=pence,
        balance_after_pence=after,
        description=entry.description[:200],
        payment_id=payment_id,
        corrects_posting_id=corrects.id if corrects is not None else None,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(posting)
    db.session.flush()
    db.session.expire(balance, ["balance_pence", "updated_at"])
    audit.record(
        actor,
        "client_money.posted",
        posting,
        account_id=balance.account_id,
        summary=f"{entry.kind.label} of {format_money(from_pence(abs(pence)))} on "
        f"{entry.entry_date:%d %B %Y}" + (f", correcting line {corrects.id}" if corrects else ""),
        after={
            "kind": entry.kind.value,
            "amount_pence": pence,
            "balance_after_pence": after,
            "entry_date": entry.entry_date.isoformat(),
            "corrects_posting_id": corrects.id if corrects else None,
        },
    )
    return posting


def correct(
    balance: ClientBalance, original: ClientPosting, right_amount: Decimal, on: date, reason: str
) -> Entry:
    """The adjusting entry that turns `original`'s amount into `right_amount` (as entered:
    positive, the way the original kind moves money), dated `on`."""
    if original.kind == PostingKind.ADJUSTMENT:
        raise RuleError("Correct the original line, not a correction")
    if original.balance_id != balance.id:
        raise RuleError("That line is not in this sub-ledger")
    kind = PostingKind(original.kind)
    if right_amount < 0:
        raise RuleError("Enter the right amount as £0.00 or more")
    right = to_pence(right_amount) if kind.money_in else -to_pence(right_amount)
    difference = right - original.amount_pence
    if difference == 0:
        raise RuleError("The right amount is the same as the line's amount: nothing to correct")
    return Entry(
        PostingKind.ADJUSTMENT,
        from_pence(difference),
        on,
        f"Correction of line {original.id} ({kind.label}): {reason}",
    )


def balance_on(balance_id: int, day: date) -> int:
    """The sub-ledger's balance at the end of `day`, in pence (the sum of its lines)."""
    return db.session.execute(
        select(func.coalesce(func.sum(ClientPosting.amount_pence), 0)).where(
            ClientPosting.balance_id == balance_id, ClientPosting.entry_date <= day
        )
    ).scalar_one()


def first_open_day(organisation_id: int, wanted: date) -> date:
    """`wanted`, or the first day after the sealed months if it falls in them."""
    sealed = sealed_through(organisation_id)
    return wanted if sealed is None or wanted > sealed else sealed + timedelta(days=1)
