"""An account's ledger as the council keeps it: every payment, contribution, correction and
recovery paid back, newest first, with the balance after each (the sum of the entries up to
it). Read through the account's scoped loader; entries are never changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..core.money import from_pence
from ..core.pagination import BoundedPage, bounded_page
from ..extensions import db
from .ledger_models import LedgerEntry, Recovery
from .lifecycles import RecoveryStatus

KINDS = {
    "payment": "Direct payment from the council",
    "contribution": "Your contribution, paid in by you",
    "adjustment": "Correction",
    "recovery": "Paid back to the council",
}


@dataclass(frozen=True)
class LedgerLine:
    entry_date: date
    kind: str
    description: str
    amount: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Ledger:
    page: BoundedPage  # its items are LedgerLines
    balance: Decimal  # all entries added up
    recoveries: list[Recovery]  # still open: what is still owed, and how


def account_ledger(account_id: int, page: int) -> Ledger:
    newest_first = (
        select(LedgerEntry)
        .where(LedgerEntry.account_id == account_id)
        .order_by(LedgerEntry.entry_date.desc(), LedgerEntry.id.desc())
    )
    listed = bounded_page(newest_first, page)
    total = db.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.amount_pence), 0)).where(
            LedgerEntry.account_id == account_id
        )
    ).scalar_one()
    # The balance after the page's first (newest) entry: everything less the newer pages.
    skipped = (listed.page - 1) * listed.per_page
    before_page = newest_first.with_only_columns(LedgerEntry.amount_pence).limit(skipped)
    newer_pages = before_page.subquery()
    newer = db.session.execute(
        select(func.coalesce(func.sum(newer_pages.c.amount_pence), 0))
    ).scalar_one()
    balance = int(total) - int(newer)
    lines = []
    for entry in listed.items:
        lines.append(
            LedgerLine(
                entry.entry_date,
                KINDS.get(entry.kind, entry.kind),
                entry.description,
                from_pence(entry.amount_pence),
                from_pence(balance),
            )
        )
        balance -= entry.amount_pence
    open_recoveries = list(
        db.session.execute(
            select(Recovery)
            .where(Recovery.account_id == account_id, Recovery.status == RecoveryStatus.OPEN)
            .order_by(Recovery.created_at)
        ).scalars()
    )
    return Ledger(
        BoundedPage(lines, listed.page, listed.per_page, listed.total, listed.capped),
        from_pence(int(total)),
        open_recoveries,
    )
