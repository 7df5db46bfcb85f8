"""Reading a bank statement people download from their bank: CSV (the common UK layouts) or
OFX/QFX (core/bank_ofx). Pure: no Flask, no database, no domain. The file has already passed
core/uploads' rules (STATEMENT); this reads what is in it.

Real exports are untidy, and these all import: Windows-1252 text with CRLF and a £ sign,
account details on lines above the column names, no column names at all, separate "paid in"
and "paid out" columns or one signed amount, thousands separators, a trailing minus, a
currency sign, and the three date forms in core/bank_values. These are refused, naming the
row and column, so that nothing is saved: a file that is not a statement, money in another
currency, an investment statement, a date that does not read, a statement for another account.

When the columns cannot be told from the file (no column names and two columns of amounts),
NeedsColumns asks the person to say which is which; their answer (Columns) is remembered for
files of the same layout (layout_key), by the caller.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from .bank_values import (
    CellError,
    StatementError,
    column_letter,
    foreign_currency,
    is_amount,
    is_date,
    parse_bank_amount,
    parse_bank_date,
)
from .text_files import read_csv_text

MAX_LINES = 20_000  # a year of a busy personal account is a few thousand
# A month of a pooled client account for a thousand clients is about 100,000 (its callers
# pass max_lines).
HEADER_SEARCH_ROWS = 20  # account details above the column names take a handful of rows

# Column names UK banks use, after _normalise (lower case, no £, no punctuation).
_ROLES = {
    "date": {"date", "transaction date", "posting date", "posted date", "completed date"},
    "description": {
        "description",
        "transaction description",
        "details",
        "narrative",
        "memo",
        "reference",
        "payee",
        "name",
        "transactions",
        "counter party",
        "notes",
        "notes and tags",
    },
    "amount": {"amount", "value", "amount gbp", "transaction amount"},
    "paid_in": {"paid in", "money in", "credit", "credits", "credit amount", "in", "receipts"},
    "paid_out": {"paid out", "money out", "debit", "debits", "debit amount", "out", "payments"},
    "balance": {"balance", "running balance", "balance gbp"},
    "currency": {"currency", "ccy", "currency code"},
    "account_number": {"account number", "account", "account no"},
}
# Column names of a statement of investments rather than of a bank account.
_INVESTMENT = {"quantity", "units", "price", "unit price", "isin", "sedol", "symbol", "ticker"}
_ACCOUNT_NUMBER = re.compile(r"(?<![\d-])(\d{8})(?!\d)")
_MASKED_NUMBER = re.compile(r"[*xX•]{2,}\s?(\d{3,6})\b")


@dataclass(frozen=True)
class Columns:
    """Which column (0-based) holds what. Either amount, or paid_in and/or paid_out."""

    date: int
    description: tuple[int, ...]
    amount: int | None = None
    paid_in: int | None = None
    paid_out: int | None = None
    balance: int | None = None
    currency: int | None = None
    account_number: int | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Columns:
        values = json.loads(text)
        values["description"] = tuple(values["description"])
        return cls(**values)


@dataclass(frozen=True)
class Line:
    row: int  # the row in the file (CSV) or the transaction's number (OFX)
    day: date
    description: str
    amount: Decimal  # money in positive, money out negative
    balance: Decimal | None = None


@dataclass(frozen=True)
class Statement:
    source: str  # "CSV" or "OFX"
    lines: tuple[Line, ...]
    layout_key: str | None  # the CSV layout, for remembering its columns
    columns: Columns | None
    closing_balance: Decimal | None
    account_ending: str | None  # the last four digits it names, never the whole number


class NeedsColumns(StatementError):
    """The columns cannot be told apart from the file alone: ask which is which."""

    def __init__(self, layout_key: str, preview: list[list[str]], width: int):
        super().__init__(
            "We cannot tell which columns hold the date, the description and the amounts: "
            "choose them below"
        )
        self.layout_key, self.preview, self.width = layout_key, preview, width


def _normalise(cell: str) -> str:
    text = cell.lower().replace("£", " ").replace("(gbp)", " gbp ")
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text).split())


def _key(kind: str, parts: list[str]) -> str:
    return hashlib.sha256((kind + "\x1f" + "\x1f".join(parts)).encode()).hexdigest()[:32]


def _header_columns(row: list[str], number: int) -> Columns | None:
    roles: dict[str, list[int]] = {}
    for index, cell in enumerate(row):
        name = _normalise(cell)
        if name in _INVESTMENT:
            raise StatementError(
                f"the column {cell.strip()!r} belongs to an investment statement: import the "
                "statement of the bank account the direct payment is paid into",
                row=number,
                column=column_letter(index),
            )
        for role, names in _ROLES.items():
            if name in names:
                roles.setdefault(role, []).append(index)
    if "date" not in roles or not roles.keys() & {"amount", "paid_in", "paid_out"}:
        return None
    first = {role: indexes[0] for role, indexes in roles.items() if role != "description"}
    return Columns(description=tuple(roles.get("description", ())), **first)


def _guess_columns(rows: list[list[str]], width: int) -> tuple[Columns | None, int | None]:
    """Columns of a file with no column names: a date column, text, and exactly one column
    of amounts; (None, date column) when it is ambiguous."""
    sample = rows[:50]
    date_column = next((i for i, cell in enumerate(sample[0]) if is_date(cell)), None)
    if date_column is None:
        return None, None
    numeric, text = [], []
    for index in range(width):
        if index == date_column:
            continue
        cells = [row[index] for row in sample if index < len(row) and row[index].strip()]
        if cells and all(is_amount(cell) for cell in cells):
            numeric.append(index)
        elif cells:
            text.append(index)
    if len(numeric) != 1:
        return None, date_column
    return Columns(date=date_column, description=tuple(text), amount=numeric[0]), date_column


def _account_ending(text: str) -> str | None:
    if match := _ACCOUNT_NUMBER.search(text):
        return match.group(1)[-4:]
    if match := _MASKED_NUMBER.search(text):
        return match.group(1)[-4:]
    return None


def check_account(
    found: str | None,
    expected: str | None,
    *,
    row: int | None,
    column: str,
    labels: tuple[str, str] = ("row", "column"),
) -> None:
    """Refuse a statement naming an account that is not the one paid (compared by its last
    four digits: banks mask the rest, and messages never show a whole number)."""
    if found and expected and not expected.endswith(found[-4:]):
        raise StatementError(
            f"this statement is for the account ending {found[-4:]}, but the direct payment "
            f"is paid into the account ending {expected[-4:]}: import that account's statement",
            row=row,
            column=column,
            labels=labels,
        )


def _read_preamble(rows: list[list[str]], expected: str | None) -> str | None:
    """Account details above the column names: the account named and its currency."""
    ending = None
    for number, row in enumerate(rows, start=1):
        for index, cell in enumerate(row):
            where = {"row": number, "column": column_letter(index)}
            if other := foreign_currency(cell):
                raise StatementError(f"the statement is in {other}, not pounds", **where)
            if found := _account_ending(cell):
                check_account(found, expected, **where)
                ending = ending or found
    return ending


def _rows(data: bytes, max_lines: int) -> list[list[str]]:
    text, _ = read_csv_text(data)
    rows = []
    for row in csv.reader(io.StringIO(text, newline="")):
        rows.append(list(map(str.strip, row)))
        if len(rows) > max_lines + HEADER_SEARCH_ROWS:
            raise StatementError(f"the statement has more than {max_lines:,} lines: split it")
    return rows


def read_csv(
    data: bytes,
    *,
    columns: Columns | None = None,
    remembered: Callable[[str], Columns | None] = lambda key: None,
    account_number: str | None = None,
    max_lines: int = MAX_LINES,
) -> Statement:
    """Read a CSV statement, or raise StatementError (NeedsColumns to ask for the columns)."""
    from .bank_rows import read_rows

    rows = _rows(data, max_lines)
    header_at, found = None, None
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if found := _header_columns(row, number + 1):
            header_at = number
            break
    if header_at is not None:
        layout_key = _key("header", [_normalise(cell) for cell in rows[header_at]])
        first_data = header_at + 1
    else:
        first_data = next(
            (i for i, row in enumerate(rows) if any(is_date(cell) for cell in row)), None
        )
        if first_data is None:
            raise StatementError(
                "this file does not look like a bank statement: none of its first "
                f"{HEADER_SEARCH_ROWS} rows has column names like Date and Amount, and no "
                "row has a date",
                row=1,
            )
        width = max(len(row) for row in rows[first_data:])
        layout_key = _key("no header", [str(width)])
        found, _ = _guess_columns(rows[first_data:], width)
    chosen = columns or remembered(layout_key) or found
    if chosen is None:
        data_rows = [row for row in rows[first_data:] if any(row)]
        raise NeedsColumns(layout_key, data_rows[:5], max(len(row) for row in data_rows))
    above = rows[: header_at if header_at is not None else first_data]
    ending = _read_preamble(above, account_number)
    header = rows[header_at] if header_at is not None else None
    lines, row_ending = read_rows(rows, first_data, chosen, account_number, header)
    return Statement(
        "CSV",
        lines,
        layout_key,
        chosen,
        _closing_balance(lines),
        ending or row_ending,
    )


def _closing_balance(lines: tuple[Line, ...]) -> Decimal | None:
    """The balance after the last day's lines. Most UK banks list the newest line first."""
    if not lines or lines[0].balance is None or lines[-1].balance is None:
        return None
    newest_first = lines[0].day > lines[-1].day
    return lines[0].balance if newest_first else lines[-1].balance


def read_statement(
    data: bytes,
    *,
    columns: Columns | None = None,
    remembered: Callable[[str], Columns | None] = lambda key: None,
    account_number: str | None = None,
    max_lines: int = MAX_LINES,
) -> Statement:
    """Read a statement of either kind (told apart by its bytes), or raise StatementError."""
    from .bank_ofx import is_ofx, read_ofx

    if is_ofx(data):
        return read_ofx(data, account_number=account_number)
    return read_csv(
        data,
        columns=columns,
        remembered=remembered,
        account_number=account_number,
        max_lines=max_lines,
    )


__all__ = [
    "CellError",
    "Columns",
    "Line",
    "NeedsColumns",
    "Statement",
    "StatementError",
    "check_account",
    "parse_bank_amount",
    "parse_bank_date",
    "read_statement",
]
