"""Writing spreadsheets safely: text that looks like a formula stays text. (Reading the ones
people upload is core/workbook_reader.py; its names are re-exported here.)

A cell whose text starts with = + - or @ would run as a formula when a finance officer opens
the file (formula injection), so every text cell is written with an explicit string type.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .filetypes import SpreadsheetError
from .sheet_scan import SpreadsheetProblems, refuse_all
from .workbook_reader import check_archive, read_cells, sheet_names

__all__ = [
    "SpreadsheetError",
    "SpreadsheetProblems",
    "check_archive",
    "problems_of",
    "read_cells",
    "refuse_all",
    "sheet_names",
    "workbook_bytes",
]


def problems_of(error: Exception) -> list[str]:
    """Each problem a refusal names, as the upload page lists them."""
    return [str(problem) for problem in getattr(error, "problems", [error])]


MONEY_FORMAT = '"£"#,##0.00'


def _cell(sheet, value: Any, *, bold: bool = False):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def workbook_bytes(sheets: dict[str, tuple[list[str], Iterable[list[Any]]]]) -> bytes:
    """{sheet title: (header row, rows)} -> an .xlsx file, written row by row."""
    book = Workbook(write_only=True)
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title=title[:31])
        sheet.append([_cell(sheet, text, bold=True) for text in header])
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
