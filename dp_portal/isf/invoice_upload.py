"""The invoice template a provider downloads (XLSX) and reading it back strictly, with the
returns' upload rules (core/uploads) and spreadsheet reader (core/workbook_reader): every
problem named by sheet and cell, and nothing saved when there is one.

One sheet, "Invoice": the template marker in B1, the invoice reference in B2, the period in
B3 and B4; from row 7 one line per person: account reference (A), name (B, for the provider's
own eyes, not read), kind of support (C: day, night, sleepover or two-to-one) and hours (D).
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from openpyxl import Workbook
from openpyxl.styles import Font

from ..core.errors import RuleError
from ..core.spreadsheets import SpreadsheetError, read_cells
from ..core.uploads import Accept, check_upload
from ..payments.rates import ServiceType
from . import invoices
from .invoice_services import InvoiceIn, LineIn

SHEET = "Invoice"
MARKER = "DP-ISF-INVOICE-1"
FIRST_ROW = 7
MAX_LINES = 1000
MAX_BYTES = 5 * 1024 * 1024
HEADINGS = ("Person's reference", "Name", "Kind of support", "Hours delivered")
KINDS = (
    {str(kind): str(kind) for kind in ServiceType}
    | {kind.label.lower(): str(kind) for kind in ServiceType}
    | {"two-to-one": "two_to_one"}
)

UPLOAD = Accept(
    ("xlsx",), "the invoice spreadsheet, saved as .xlsx", MAX_BYTES, "invoice", check_workbook=False
)
READS = ("B1", "B2", "B3", "B4")


def build_template(people: list[tuple[str, str, str]], start: date, end: date) -> bytes:
    """The template for one period, listing the provider's people (reference, name, kind)."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    for column, width in zip("ABCD", (22, 30, 20, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet["A1"], sheet["B1"] = "Invoice of delivered hours", MARKER
    sheet["A2"] = "Your invoice reference"
    sheet["A3"], sheet["B3"] = "Period start", start
    sheet["A4"], sheet["B4"] = "Period end", end
    sheet["A5"] = (
        "Enter the hours delivered to each person in column D. Leave out anyone with none."
    )
    for ref in ("B3", "B4"):
        sheet[ref].number_format = "dd/mm/yyyy"
    for column, heading in zip("ABCD", HEADINGS, strict=True):
        sheet[f"{column}6"] = heading
        sheet[f"{column}6"].font = Font(bold=True)
    for row, (reference, name, kind) in enumerate(people, start=FIRST_ROW):
        sheet[f"A{row}"].value, sheet[f"A{row}"].data_type = reference, "s"
        sheet[f"B{row}"].value, sheet[f"B{row}"].data_type = name, "s"
        sheet[f"C{row}"] = kind
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _hours(value, cell: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SpreadsheetError("enter the hours as a number, like 7.5", sheet=SHEET, cell=cell)
    if isinstance(value, float) and not math.isfinite(value):
        raise SpreadsheetError("this is not a finite number of hours", sheet=SHEET, cell=cell)
    try:
        return _hundredths(value)
    except (ArithmeticError, ValueError) as exc:
        message = str(exc) if isinstance(exc, RuleError) else "enter the hours as a number"
        raise SpreadsheetError(message, sheet=SHEET, cell=cell) from exc


@lru_cache(maxsize=1024, typed=True)
def _hundredths(value: int | float | str) -> int:
    """A cell's hours as hundredths (invoices.check_hours). An invoice repeats a few values
    down hundreds of lines, so each is worked out once (a refusal raises, and is not kept)."""
    # A float's shortest decimal form, never its binary fraction.
    hours = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    return invoices.check_hours(hours.quantize(Decimal("0.000001")).normalize())


def _line(cells: dict, row: int) -> LineIn:
    reference = str(cells.get(f"A{row}") or "").strip()
    kind = KINDS.get(str(cells.get(f"C{row}") or "").strip().lower())
    if kind is None:
        raise SpreadsheetError(
            "enter the kind of support: day, night, sleepover or two_to_one",
            sheet=SHEET,
            cell=f"C{row}",
        )
    hours = _hours(cells.get(f"D{row}"), f"D{row}")
    return LineIn(reference, kind, hours, f"Sheet {SHEET}, cell A{row}")


def _header(cells: dict) -> tuple[str, date, date]:
    if cells.get("B1") != MARKER:
        raise SpreadsheetError(
            "this is not the council's invoice template: download it and use that",
            sheet=SHEET,
            cell="B1",
        )
    reference = str(cells.get("B2") or "").strip()
    if not reference or len(reference) > 40:
        raise SpreadsheetError(
            "enter your invoice reference (up to 40 characters)", sheet=SHEET, cell="B2"
        )
    start, end = _day(cells.get("B3")), _day(cells.get("B4"))
    for cell, value in (("B3", start), ("B4", end)):
        if value is None:
            raise SpreadsheetError("enter a date, like 06/04/2026", sheet=SHEET, cell=cell)
    return reference, start, end


def read_invoice(data: bytes, filename: str | None) -> InvoiceIn:
    """An uploaded invoice's header and lines. Every line's problem is collected (sheet and
    cell named) and raised together as SpreadsheetProblems; the upload rules come first."""
    check_upload(data, filename, UPLOAD)
    cells = read_cells(
        data, sheet=SHEET, max_bytes=MAX_BYTES, max_rows=FIRST_ROW + MAX_LINES, reads=READS
    )
    reference, start, end = _header(cells)
    rows = sorted({int(ref[1:]) for ref in cells if ref[0] in "ACD" and ref[1:].isdigit()})
    lines, problems = [], []
    for row in (r for r in rows if r >= FIRST_ROW):
        if cells.get(f"D{row}") in (None, ""):
            continue  # a person listed with no hours delivered, or an empty row
        try:
            lines.append(_line(cells, row))
        except SpreadsheetError as exc:
            problems.append(str(exc))
    if problems:
        raise SpreadsheetProblems(problems)
    return InvoiceIn(
        reference, start, end, lines, source="upload", original_name=filename, upload=data
    )


class SpreadsheetProblems(SpreadsheetError):
    """Every problem in an uploaded invoice's lines, each naming its sheet and cell."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problems: " + "; ".join(problems))
        self.problems = problems
