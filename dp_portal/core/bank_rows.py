"""The transaction rows of a CSV statement, once its columns are known (core/bank_statements).

Each row is one line of money in or out; blank rows and notes (no date, no amount) are
passed over; a "balance brought forward" row with no amount is passed over too. Anything else
that cannot be read is refused with its row and column, so that a statement is imported
whole or not at all.
"""

from __future__ import annotations

from decimal import Decimal

from .bank_statements import Columns, Line, check_account
from .bank_values import (
    CellError,
    StatementError,
    column_letter,
    parse_bank_amount,
    parse_bank_date,
)

_POUNDS = {"", "GBP", "£", "UKP"}


def _cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


class _Row:
    """One row being read, so that every refusal names where it is."""

    def __init__(self, row: list[str], number: int, header: list[str] | None):
        self.cells, self.number, self.header = row, number, header

    def where(self, index: int) -> dict:
        name = self.header[index] if self.header and index < len(self.header) else ""
        column = column_letter(index) + (f" ({name})" if name else "")
        return {"row": self.number, "column": column}

    def amount(self, index: int | None) -> Decimal | None:
        if index is None:
            return None
        try:
            return parse_bank_amount(_cell(self.cells, index))
        except CellError as exc:
            raise StatementError(str(exc), **self.where(index)) from exc


def _money(row: _Row, columns: Columns) -> Decimal | None:
    """The row's signed amount: one signed column, or paid in less paid out."""
    if columns.amount is not None:
        return row.amount(columns.amount)
    paid_in, paid_out = row.amount(columns.paid_in), row.amount(columns.paid_out)
    if paid_in is not None and paid_out is not None and paid_in and paid_out:
        raise StatementError(
            "the line has an amount both paid in and paid out: a line is one or the other",
            **row.where(columns.paid_in),  # type: ignore[arg-type]
        )
    if paid_in is None and paid_out is None:
        return None
    # Some banks write money out as a negative number in the "paid out" column: it is money
    # out either way.
    return (paid_in or Decimal(0)) - abs(paid_out or Decimal(0))


def _line(row: _Row, columns: Columns, expected: str | None) -> Line | None:
    cells, width = row.cells, len(row.cells)
    date_text = cells[columns.date] if columns.date < width else ""
    description = " ".join(filter(None, [cells[i] for i in columns.description if i < width]))
    amount = _money(row, columns)
    if amount is None and (not date_text or "balance" in " ".join(row.cells).lower()):
        return None  # a note, a total, or "balance brought forward": not money in or out
    if not date_text:
        raise StatementError("the line has an amount but no date", **row.where(columns.date))
    try:
        day = parse_bank_date(date_text)
    except CellError as exc:
        raise StatementError(str(exc), **row.where(columns.date)) from exc
    if amount is None:
        where = row.where(columns.amount if columns.amount is not None else columns.paid_in or 0)
        raise StatementError("the line has a date but no amount", **where)
    currency = _cell(row.cells, columns.currency)
    if currency.upper() not in _POUNDS:
        raise StatementError(
            f"the line is in {currency}, not pounds: import a statement of an account in pounds",
            **row.where(columns.currency),  # type: ignore[arg-type]
        )
    if columns.account_number is not None:
        check_account(
            _ending(_cell(row.cells, columns.account_number)),
            expected,
            **row.where(columns.account_number),
        )
    return Line(row.number, day, description, amount, row.amount(columns.balance))


def _ending(text: str) -> str | None:
    digits = "".join(ch for ch in text.split()[-1] if ch.isdigit()) if text.split() else ""
    return digits[-4:] if len(digits) >= 4 else None


def read_rows(
    rows: list[list[str]],
    first: int,
    columns: Columns,
    expected: str | None,
    header: list[str] | None,
) -> tuple[tuple[Line, ...], str | None]:
    """The statement's lines, and the account ending its rows name (if they do)."""
    lines = []
    ending = None
    for index in range(first, len(rows)):
        row = _Row(rows[index], index + 1, header)
        if not any(row.cells):
            continue
        line = _line(row, columns, expected)
        if line is not None:
            lines.append(line)
            if columns.account_number is not None and ending is None:
                ending = _ending(_cell(row.cells, columns.account_number))
    if not lines:
        raise StatementError("the statement has no lines of money in or out", row=first + 1)
    return tuple(lines), ending
