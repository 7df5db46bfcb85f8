"""The downloadable return template (XLSX) and reading it back strictly.

One sheet, "Return": labels in column A, values in column B, at fixed cells. The template
carries a version marker (B1) so an old or foreign workbook is recognised and refused.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, Protection

from ..core.money import MoneyError, parse_money
from ..core.spreadsheets import SpreadsheetError, read_cells, refuse_all
from ..core.uploads import Accept, check_upload
from .reconcile import SPENDING

SHEET = "Return"
MARKER = "DP-RETURN-1"
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 40

# field -> (cell, label)
MONEY_CELLS = {
    "opening": ("B7", "Balance at the start of the period"),
    "council_payments": ("B8", "Payments from the council"),
    "contributions": ("B9", "Your own contributions paid in"),
    "other_income": ("B10", "Any other money paid in"),
    **{f"spend_{key}": (f"B{12 + i}", label) for i, (key, label) in enumerate(SPENDING)},
    "closing": ("B21", "Balance at the end of the period"),
    "bank_balance": ("B22", "Closing balance on the bank statement"),
    "wages_owed": ("B23", "Wages still owed at the end of the period"),
    "hmrc_due": ("B24", "HMRC or pension payments still due"),
}
NEGATIVE_ALLOWED = {"opening", "closing", "bank_balance"}


def build_template(
    *,
    reference: str,
    period_start: date,
    period_end: date,
    opening: Decimal,
    council_payments: Decimal,
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 18
    sheet["A1"], sheet["B1"] = "Direct payment return", MARKER
    sheet["A2"], sheet["B2"] = "Account", reference
    sheet["A3"], sheet["B3"] = "Period start", period_start
    sheet["A4"], sheet["B4"] = "Period end", period_end
    sheet["A5"] = (
        "Enter amounts in pounds and pence in column B. Leave a cell empty if it was nothing."
    )
    sheet["A6"] = "Money in"
    sheet["A11"] = "Money out"
    sheet["A20"] = "At the end of the period"
    for ref in ("A1", "A6", "A11", "A20"):
        sheet[ref].font = Font(bold=True)
    for ref in ("B3", "B4"):
        sheet[ref].number_format = "dd/mm/yyyy"
    for cell, label in MONEY_CELLS.values():
        sheet[f"A{cell[1:]}"] = label
        sheet[cell].number_format = '"£"#,##0.00'
        sheet[cell].protection = Protection(locked=False)
    # Decimals are written as exact numbers: no float is involved.
    sheet[MONEY_CELLS["opening"][0]] = opening if opening else None
    sheet[MONEY_CELLS["council_payments"][0]] = council_payments if council_payments else None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


LARGEST = Decimal("10000000")
_MONEY_HELP = "enter an amount in pounds and pence, like 125.50"


def _number(value: int | float, cell: str) -> Decimal:
    """A spreadsheet number as pounds: its shortest decimal form (never the binary
    fraction), refused when not finite, too large, or finer than a penny."""
    if isinstance(value, float) and not math.isfinite(value):
        raise SpreadsheetError(
            f"this is not a finite number: {_MONEY_HELP}", sheet=SHEET, cell=cell
        )
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    # Checked before rounding: 1E+300 cannot be rounded to pence at all.
    if abs(amount) > LARGEST:
        raise SpreadsheetError("this amount is too large for a return", sheet=SHEET, cell=cell)
    # Binary noise from a spreadsheet's own arithmetic (0.1 + 0.2) is not a fraction of a
    # penny; anything bigger is.
    if abs(amount - amount.quantize(Decimal("0.01"))) > Decimal("1e-6"):
        raise SpreadsheetError(
            "enter pounds and pence with no more than 2 decimal places", sheet=SHEET, cell=cell
        )
    return amount.quantize(Decimal("0.01"))


def _money(value, cell: str, *, negative: bool) -> Decimal:
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, bool | datetime | date | time | timedelta):
        raise SpreadsheetError(_MONEY_HELP, sheet=SHEET, cell=cell)
    if isinstance(value, int | float):
        amount = _number(value, cell)
    else:
        try:
            amount = parse_money(str(value), allow_negative=negative)
        except MoneyError as exc:
            raise SpreadsheetError(
                str(exc)[0].lower() + str(exc)[1:], sheet=SHEET, cell=cell
            ) from exc
    if amount < 0 and not negative:
        raise SpreadsheetError("enter an amount of £0.00 or more", sheet=SHEET, cell=cell)
    if abs(amount) > LARGEST:
        raise SpreadsheetError("this amount is too large for a return", sheet=SHEET, cell=cell)
    return amount


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


# The upload rules for a return: an .xlsx workbook, at most MAX_BYTES.
UPLOAD = Accept(
    ("xlsx",), "the return spreadsheet, saved as .xlsx", MAX_BYTES, "return", check_workbook=False
)

# Every cell the return reads: a merged range or an error value over any of them is refused.
READS = ("B1", "B2", "B3", "B4", *(cell for cell, _ in MONEY_CELLS.values()))


def read_return(
    data: bytes,
    *,
    reference: str,
    period_start: date,
    period_end: date,
    filename: str | None = None,
) -> dict[str, Decimal]:
    """The figures of an uploaded return, or SpreadsheetError naming the sheet and cell.
    With the name the file was sent under, the upload rules (core/uploads) apply first and
    refuse with UploadError."""
    if filename is not None:
        check_upload(data, filename, UPLOAD)
    problems: list[SpreadsheetError] = []
    cells = read_cells(
        data, sheet=SHEET, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, reads=READS, problems=problems
    )
    if cells.get("B1") != MARKER and not problems:
        # Not our template: what its other cells hold means nothing.
        raise SpreadsheetError(
            "this is not the council's return template. Download the template for this "
            "period and use that",
            sheet=SHEET,
            cell="B1",
        )
    refused = {problem.cell for problem in problems}
    problems += _wrong_account_or_period(cells, refused, reference, period_start, period_end)
    values = {}
    for field, (cell, _) in MONEY_CELLS.items():
        try:
            values[field] = _money(cells.get(cell), cell, negative=field in NEGATIVE_ALLOWED)
        except SpreadsheetError as problem:
            problems.append(problem)
    refuse_all(problems)  # every problem at once, in the order of the sheet
    return values


def _wrong_account_or_period(
    cells: dict, refused: set, reference: str, period_start: date, period_end: date
) -> list[SpreadsheetError]:
    """Whether the template is this account's, for this period (cells already refused for
    what is in them are not judged again)."""
    problems = []
    if "B2" not in refused and str(cells.get("B2", "")).strip().upper() != reference.upper():
        problems.append(
            SpreadsheetError(
                f"this return is for {cells.get('B2')}, not account {reference}",
                sheet=SHEET,
                cell="B2",
            )
        )
    for cell, expected in (("B3", period_start), ("B4", period_end)):
        if cell not in refused and _day(cells.get(cell)) != expected:
            problems.append(
                SpreadsheetError(
                    f"the period should be {period_start:%d/%m/%Y} to {period_end:%d/%m/%Y}: "
                    "use the template for this period",
                    sheet=SHEET,
                    cell=cell,
                )
            )
    return problems
