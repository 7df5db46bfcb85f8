"""Writing spreadsheets safely: text that looks like a formula stays text.

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


# --- Reading spreadsheets people upload --------------------------------------------------------
#
# Uploaded workbooks are hostile until proved otherwise: a renamed executable, a macro-enabled
# file, a zip bomb, a sheet that lies about its size (openpyxl's read-only mode trusts the
# declared dimension and silently drops rows), a formula with no saved value. Each is refused
# with a message naming the sheet and cell, or the reason, before anything is saved.

MAX_UNCOMPRESSED = 20 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 200


class SpreadsheetError(ValueError):
    def __init__(self, message: str, *, sheet: str | None = None, cell: str | None = None):
        parts = [f"sheet {sheet}" if sheet else "", f"cell {cell}" if cell else ""]
        where = ", ".join(part for part in parts if part)
        super().__init__(f"{where[0].upper() + where[1:]}: {message}" if where else message)
        self.sheet, self.cell = sheet, cell


def check_archive(data: bytes, max_bytes: int) -> None:
    import zipfile

    if len(data) > max_bytes:
        raise SpreadsheetError(f"The file is larger than {max_bytes // 1024 // 1024} MB")
    if not data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError("The file is not an Excel workbook (.xlsx)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError("The file is damaged: it could not be opened as a workbook") from exc
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError("The file is not an Excel workbook (.xlsx)")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise SpreadsheetError(
            "The workbook contains macros: save it as an ordinary .xlsx workbook"
        )
    if len(entries) > MAX_ENTRIES:
        raise SpreadsheetError("The workbook has too many parts to be a return")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED:
        raise SpreadsheetError(
            "The workbook unpacks to more than 20 MB, far more than a return needs"
        )
    for entry in entries:
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
            raise SpreadsheetError(
                "The workbook is compressed suspiciously hard and cannot be read safely"
            )


def read_cells(
    data: bytes, *, sheet: str, max_bytes: int, max_rows: int, max_cols: int = 10
) -> dict[str, Any]:
    """The cells of one sheet as {"B7": value}. Formulas come with their saved value; one
    with no saved value is refused. Rows beyond max_rows are refused, whatever the sheet's
    declared size says."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    check_archive(data, max_bytes)

    def load(data_only: bool):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise SpreadsheetError(
                "The workbook could not be read: save it again as .xlsx"
            ) from exc
        if sheet not in book.sheetnames:
            book.close()
            raise SpreadsheetError(f"The workbook has no sheet called {sheet}", sheet=sheet)
        ws = book[sheet]
        ws.reset_dimensions()  # read every row, not what the file claims
        cells: dict[str, Any] = {}
        for row_number, row in enumerate(ws.iter_rows(max_col=max_cols, values_only=True), start=1):
            if row_number > max_rows:
                if any(value not in (None, "") for value in row):
                    book.close()
                    raise SpreadsheetError(
                        f"there is something in row {row_number}: the return has {max_rows} rows",
                        sheet=sheet,
                        cell=f"A{row_number}",
                    )
                continue
            for col, value in enumerate(row, start=1):
                if value is not None:
                    cells[f"{get_column_letter(col)}{row_number}"] = value
        book.close()
        return cells

    formulas = load(data_only=False)
    if not any(isinstance(v, str) and v.startswith("=") for v in formulas.values()):
        return formulas
    values = load(data_only=True)
    for ref, value in formulas.items():
        if isinstance(value, str) and value.startswith("=") and values.get(ref) is None:
            raise SpreadsheetError(
                "this formula has no saved value. Open the file in a spreadsheet program, "
                "save it, and upload it again",
                sheet=sheet,
                cell=ref,
            )
    return values
