"""Reading one cell of a bank statement: an amount or a date, as UK banks write them.

Amounts: "1,234.56", "-1,234.56", "1,234.56-" (a trailing minus), "£1,234.56", "-£12.00",
"£-12.00", "(12.00)", "12.00 DR" / "12.00 CR". Any other currency sign is refused, never
converted: a direct payment account is held in pounds. Dates: 31/10/2026, 31 Oct 2026 (or
31 October 2026, 31-Oct-2026) and 2026-10-31. UK banks never write the month first, so
day/month/year is the only slashed order. Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache

from .filetypes import UploadError
from .money import MoneyError, parse_money

DATE_FORMS = "31/10/2026, 31 Oct 2026 or 2026-10-31"

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_NAMED = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Signs of money that is not pounds. "£" itself is allowed (and stripped by parse_money).
_FOREIGN = re.compile(r"[€$¥₹]|\b(EUR|USD|JPY|CHF|AUD|CAD|INR|PLN|SEK|NOK|DKK)\b", re.I)
_DEBIT_CREDIT = re.compile(r"^(?P<number>.*?)\s*(?P<mark>DR|CR|D|C)$", re.I)


class StatementError(UploadError):
    """A statement we refuse, naming the row and the column where we know them."""

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        labels: tuple[str, str] = ("row", "column"),
    ):
        parts = [f"{labels[0]} {row}" if row else "", f"{labels[1]} {column}" if column else ""]
        where = ", ".join(part for part in parts if part)
        super().__init__(f"{where[0].upper() + where[1:]}: {message}" if where else message)
        self.row, self.column = row, column


class CellError(ValueError):
    """One cell that cannot be read; the caller adds its row and column."""


def foreign_currency(text: str) -> str | None:
    """The sign or code of a currency other than pounds in a cell, or None."""
    match = _FOREIGN.search(text)
    return match.group() if match else None


@lru_cache(maxsize=8192)  # a statement repeats its amounts: each text is read once
def parse_bank_amount(text: str) -> Decimal | None:
    """A statement amount as signed Decimal pounds (money out negative), None for an empty
    cell, CellError for anything else."""
    cleaned = (text or "").strip().replace("\u00a0", " ")
    if cleaned in ("", "-"):
        return None
    other = foreign_currency(cleaned)
    if other:
        raise CellError(f"{cleaned!r} is not in pounds ({other}): import a statement in pounds")
    negative = False
    marked = _DEBIT_CREDIT.match(cleaned)
    if marked and marked.group("number"):
        cleaned, negative = marked.group("number"), marked.group("mark").upper().startswith("D")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned, negative = cleaned[1:-1], not negative
    if cleaned.endswith("-") and not cleaned.startswith("-"):
        cleaned, negative = cleaned[:-1], not negative
    try:
        amount = parse_money(cleaned, allow_negative=True)
    except MoneyError as exc:
        raise CellError(f"{text.strip()!r} is not an amount in pounds and pence") from exc
    return -amount if negative else amount


@lru_cache(maxsize=1024)  # a month's statement has 31 dates, however many lines
def parse_bank_date(text: str) -> date:
    """A statement date in one of the three forms UK banks use, or CellError."""
    cleaned = (text or "").strip()
    try:
        if match := _SLASHED.match(cleaned):
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := _NAMED.match(cleaned):
            month = _MONTHS.get(match.group(2).lower())
            if month is not None:
                return date(int(match.group(3)), month, int(match.group(1)))
        if match := _ISO.match(cleaned):
            return date(*(int(part) for part in match.groups()))
    except ValueError as exc:  # 31/02/2026: the right form, but no such day
        raise CellError(f"{cleaned!r} is not a real date") from exc
    raise CellError(f"{cleaned!r} is not a date we can read: write dates as {DATE_FORMS}")


def is_date(text: str) -> bool:
    try:
        parse_bank_date(text)
    except CellError:
        return False
    return True


def is_amount(text: str) -> bool:
    try:
        return parse_bank_amount(text) is not None
    except CellError:
        return False


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
