"""An uploaded export read into tables of text: each sheet of a workbook (or the one table of
a CSV file) with its headings (the first row) and its rows, each row numbered as the file
numbers it. The upload rules are the ones every upload follows (core/uploads: the file judged
by its bytes, its name agreeing, CSV in the encodings people really send), and a workbook is
read by the returns' strict reader (core/workbook_reader), so a damaged, disguised or huge
file gets the same clear message here as there.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from ..core.bank_values import column_letter
from ..core.spreadsheets import read_cells, sheet_names
from ..core.text_files import read_csv_text
from ..core.uploads import Accept, UploadError, check_upload
from .plan import without_cycle_collection
from .values import cell_text

MAX_BYTES = 20 * 1024 * 1024
# A workbook's sheets unpack to about 1.7 KB a person for people, accounts, bank details and
# budgets together (bench/bulk_import.py): 48 MB is 20,000 people with room to spare.
MAX_UNPACKED = 48 * 1024 * 1024
MAX_ROWS = 20_000  # rows of records on one sheet, under the headings
MAX_COLUMNS = 60  # columns read; case-management exports rarely have more worth mapping
EXCEL_ROWS = 1_048_576

UPLOAD = Accept(
    ("csv", "xlsx"),
    "a CSV file or an Excel workbook (.xlsx)",
    MAX_BYTES,
    "import",
    check_workbook=False,  # read_cells checks the container, and names the cell at fault
)


@dataclass(frozen=True)
class Table:
    name: str  # the sheet's name, or the CSV file's
    headings: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells as text)


def _headings(cells: list[str], where: str) -> list[str]:
    """The headings row, each column named once (a blank heading: "Column C")."""
    headings = [text or f"Column {column_letter(i)}" for i, text in enumerate(cells)]
    seen: dict[str, int] = {}
    for index, heading in enumerate(headings):
        said = heading.strip().casefold()
        if said in seen:
            raise UploadError(
                f"{where}: columns {column_letter(seen[said])} and {column_letter(index)} are "
                f"both headed {heading}. Give each column a heading of its own"
            )
        seen[said] = index
    return headings


def _table(name: str, rows: list[tuple[int, list[str]]], where: str) -> Table | None:
    """Headings from the first row, then every row with something in it."""
    filled = [(number, cells) for number, cells in rows if any(cells)]
    if not filled:
        return None
    (_, first), body = filled[0], filled[1:]
    if len(body) > MAX_ROWS:
        raise UploadError(
            f"{where} has {len(body):,} rows: import at most {MAX_ROWS:,} at a time, in "
            "several files"
        )
    headings = _headings(first, where)
    width = max(len(headings), *(len(cells) for _, cells in body)) if body else len(headings)
    headings += [f"Column {column_letter(i)}" for i in range(len(headings), width)]
    return Table(name, headings, [(n, cells + [""] * (width - len(cells))) for n, cells in body])


def read_csv(data: bytes, name: str) -> Table:
    text, _ = read_csv_text(data)
    rows = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            rows.append((number, [cell.strip() for cell in cells[:MAX_COLUMNS]]))
    except csv.Error as exc:
        raise UploadError(
            f"Row {len(rows) + 1} of the CSV file cannot be read ({exc}): save it again as "
            "CSV and upload the new copy"
        ) from exc
    table = _table(name, rows, "The CSV file")
    if table is None:
        raise UploadError("The CSV file has no rows to import")
    return table


def _sheet(data: bytes, name: str) -> Table | None:
    cells = read_cells(
        data,
        sheet=name,
        max_bytes=MAX_BYTES,
        max_rows=EXCEL_ROWS,  # the unpacked size bounds it; MAX_ROWS is said in our words
        max_cols=MAX_COLUMNS,
        max_unpacked=MAX_UNPACKED,
    )
    grid: dict[int, dict[int, str]] = {}
    for ref, value in cells.items():
        letters, row = coordinate_from_string(ref)
        text = cell_text(value)
        if text:
            grid.setdefault(row, {})[column_index_from_string(letters) - 1] = text
    rows = [
        (row, [found.get(col, "") for col in range(max(found) + 1)])
        for row, found in sorted(grid.items())
    ]
    return _table(name, rows, f"Sheet {name}")


def read_workbook(data: bytes) -> list[Table]:
    tables = [
        _sheet(data, name) for name in sheet_names(data, MAX_BYTES, max_unpacked=MAX_UNPACKED)
    ]
    found = [table for table in tables if table is not None]
    if not found:
        raise UploadError("The workbook has no rows to import")
    return found


def read_upload(data: bytes, filename: str | None) -> tuple[str, str, list[Table]]:
    """(the file's type, its cleaned name, its tables), or UploadError (SpreadsheetError for
    a workbook's insides) saying what is wrong and where."""
    checked = check_upload(data, filename, UPLOAD)
    with without_cycle_collection():
        if checked.kind.key == "csv":
            return "csv", checked.name, [read_csv(data, checked.name)]
        return "xlsx", checked.name, read_workbook(data)
