"""A return period's imported statement lines, and the return's figures added up from them
(each category into its line of the return: statements.Category.return_field). Read by the
draft (drafts.py: a new return opens filled from them) and by statement_services.py.
Never writes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..core.money import ZERO, from_pence
from ..extensions import db
from .periods import ReturnPeriod
from .statement_models import StatementImport, StatementLine
from .statements import Category, ImportStatus


def period_lines(account_id: int, period: ReturnPeriod) -> list[StatementLine]:
    """The lines of imported statements dated in the period, oldest first."""
    return list(
        db.session.execute(
            select(StatementLine)
            .join(StatementImport, StatementImport.id == StatementLine.import_id)
            .where(
                StatementLine.account_id == account_id,
                StatementImport.status == ImportStatus.IMPORTED,
                StatementLine.line_date >= period.start,
                StatementLine.line_date <= period.end,
            )
            .order_by(StatementLine.line_date, StatementLine.id)
        ).scalars()
    )


def _period_end_balance(lines: list[StatementLine]) -> Decimal | None:
    """The running balance after the period's last line, when the statement shows one.
    Several lines on the last day may be in either order (most banks list the newest first),
    so the last is the one no other line of the day follows on from (a line follows another
    when its balance less its amount is the other's balance)."""
    day = [
        line
        for line in lines
        if line.line_date == lines[-1].line_date and line.balance_pence is not None
    ]
    last = [
        line
        for line in day
        if not any(
            other.balance_pence - other.amount_pence == line.balance_pence  # type: ignore[operator]
            for other in day
            if other is not line
        )
    ]
    return from_pence(last[0].balance_pence) if len(last) == 1 else None  # type: ignore[arg-type]


@dataclass(frozen=True)
class StatementFigures:
    values: dict[str, Decimal]  # return fields (drafts.FIELDS) -> pounds
    lines: int
    bank_balance: Decimal | None


def figures(account_id: int, period: ReturnPeriod) -> StatementFigures | None:
    """The period's lines added up into the return's fields; None when there are none."""
    lines = period_lines(account_id, period)
    if not lines:
        return None
    values = {Category(category).return_field: ZERO for category in Category}
    for line in lines:
        values[Category(line.category).return_field] += abs(line.money())
    balance = _period_end_balance(lines)
    return StatementFigures(values, len(lines), balance or _closing_of(lines[-1], period))


def _closing_of(last: StatementLine, period: ReturnPeriod) -> Decimal | None:
    """The closing balance the statement of the period's last line states (OFX LEDGERBAL),
    when that statement ends within the period."""
    row = db.session.get(StatementImport, last.import_id)
    if row is None or row.closing_balance_pence is None:
        return None
    ends = db.session.execute(
        select(func.max(StatementLine.line_date)).where(StatementLine.import_id == row.id)
    ).scalar()
    return from_pence(row.closing_balance_pence) if ends <= period.end else None


def return_values(found: StatementFigures, opening: Decimal) -> dict[str, Decimal]:
    """The return's figures from the lines: each category's total, the closing balance that
    follows from them and the opening balance, and the bank balance the statement shows (or,
    when it shows none, the closing balance, for the person to check)."""
    values = dict(found.values)
    money_in = values["council_payments"] + values["contributions"] + values["other_income"]
    money_out = sum((v for k, v in values.items() if k.startswith("spend_")), ZERO)
    values["closing"] = opening + money_in - money_out
    values["bank_balance"] = (
        found.bank_balance if found.bank_balance is not None else values["closing"]
    )
    return values


@dataclass(frozen=True)
class ImportedLine:
    """A classified, matched line, for whatever posts it (a managed person's sub-ledger)."""

    day: date
    description: str
    amount: Decimal  # money in positive
    category: Category
    payment_id: int | None


def imported_lines(import_id: int) -> Iterator[ImportedLine]:
    """The lines one import added, classified and matched, in the file's order."""
    rows = db.session.execute(
        select(StatementLine)
        .where(StatementLine.import_id == import_id)
        .order_by(StatementLine.row_number)
    ).scalars()
    for row in rows:
        yield ImportedLine(
            row.line_date, row.description, row.money(), Category(row.category), row.payment_id
        )
