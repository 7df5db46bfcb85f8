"""A strict walk over one sheet's XML, before any value is believed.

openpyxl trusts the file: an unknown cell type comes back as raw text, "NaN" or "abc" in a
number cell or "yes" in a boolean one raises a bare ValueError, a negative shared-string index
silently picks the last string, and a row filed out of order is dropped. This scan checks
each cell against ECMA-376 Part 1 (18.3.1.4 c, 18.18.11 ST_CellType, 18.3.1.73 row) and
refuses, naming the cell, anything a spreadsheet program would not have written.

The same walk reads the values, exactly as openpyxl's reader would give them (numbers as int
or float, a number styled as a date as a datetime, shared and inline strings as their plain
text, booleans, error codes as text), so that the bytes checked are the bytes believed, and
the sheet is parsed once rather than twice.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel, from_ISO8601

from .filetypes import SpreadsheetError
from .sheet_xml import sheet_parser

CELL_TYPES = {"n", "s", "b", "str", "inlineStr", "e", "d"}  # ST_CellType
MAX_NUMBER = 1e15  # far above any amount; below it a double still holds whole pence
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384  # Excel's own limits

_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_RANGE = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}(:[A-Z]{1,3}[1-9][0-9]{0,6})?")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# A reference into another workbook: "[1]Sheet1!A1" (an index into the workbook's external
# references) or a file name in brackets, "'C:\x\[Book1.xlsx]Sheet1'!A1".
_EXTERNAL = re.compile(r"\[\d+\]|\[[^\]]*\.(xl[a-z]*|csv|ods)\]", re.IGNORECASE)
_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_SAVE_AGAIN = "save the workbook again as .xlsx and upload it again"


MAX_PROBLEMS = 20  # listed at once; a sheet wrong in every cell is not worth listing whole


class SpreadsheetProblems(SpreadsheetError):
    """Every problem found in a workbook at once, each a SpreadsheetError naming its sheet
    and cell, so the person can put them all right before uploading again (the upload page
    lists each). Its own message is theirs, in order."""

    def __init__(self, problems: Sequence[SpreadsheetError]):
        self.problems = list(problems)
        Exception.__init__(self, " ".join(str(problem) for problem in self.problems))
        self.sheet, self.cell = self.problems[0].sheet, self.problems[0].cell


class LinkedFormula(SpreadsheetError):
    """A formula reaching into another workbook (its cell named: the workbook-wide refusal
    of external links need not be said again)."""


def _position(problem: SpreadsheetError) -> tuple[int, int]:
    """Where a problem is on the sheet, for listing them in reading order (a problem with no
    cell, about the whole sheet or file, first)."""
    match = _REF.match(problem.cell or "")
    return (int(match[2]), _column(match[1])) if match else (0, 0)


def refuse_all(problems: Sequence[SpreadsheetError]) -> None:
    """Raise the problems found, if any: one as itself, several together in reading order."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise SpreadsheetProblems(sorted(problems, key=_position))


@dataclass(frozen=True)
class CellFormats:
    """What the rest of the workbook says about reading a cell: the shared strings, which
    cell styles show a number as a date or a duration, and the date system (ECMA-376 Part 1,
    18.4, 18.8.30 numFmt, 18.2.28 workbookPr date1904)."""

    strings: Sequence[str] = ()
    date_styles: frozenset[int] = frozenset()
    duration_styles: frozenset[int] = frozenset()
    epoch: datetime = WINDOWS_EPOCH


@dataclass
class SheetScan:
    values: dict[str, Any] = field(default_factory=dict)  # cells that have a value
    errors: dict[str, str] = field(default_factory=dict)  # cells showing #DIV/0! and the like
    merged: list[str] = field(default_factory=list)
    # Cells refused for what is in them (each named): the rest of the sheet is still read,
    # so that every problem can be listed at once. Their values are left out.
    problems: list[SpreadsheetError] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag[tag.rfind("}") + 1 :]  # the whole tag when it has no namespace


def text_content(element) -> str:
    """A string item's plain text as openpyxl reads it: its <t>, then each run's <t>, but not
    the phonetic guides (ECMA-376 Part 1, 18.4.8 si, 18.4.12 t, 18.4.4 r, 18.4.6 rPh)."""
    plain, runs = None, []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            plain = child.text
        elif name == "r":
            texts = [part.text for part in child if _local(part.tag) == "t"]
            if texts and texts[-1] is not None:
                runs.append(texts[-1])
    return "".join(([plain] if plain is not None else []) + runs)


def _show(text: str) -> str:
    shown = "".join(char for char in text if char.isprintable())
    return shown if len(shown) <= 20 else shown[:20] + "…"


def _quoted(text: str) -> str:
    return '"' + _show(text) + '"'


@cache
def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_of(ref: str) -> int:
    """The column number of a cell reference the scan has vouched for ("AB12" is 28)."""
    return _column(ref.rstrip("0123456789"))


def _letters(column: int) -> str:
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


class _Walk:
    def __init__(self, sheet: str, formats: CellFormats, max_rows: int):
        self.sheet, self.formats, self.max_rows = sheet, formats, max_rows
        self.shared_strings = len(formats.strings)
        self.row = self.column = 0
        self.ref: str | None = None
        self.seen: set[str] = set()
        self.scan = SheetScan()

    def refuse(self, message: str, cell: str | None = None) -> SpreadsheetError:
        return SpreadsheetError(message, sheet=self.sheet, cell=cell or self.ref)

    def start_row(self, number: str | None) -> None:
        if number is None:
            row = self.row + 1
        elif not number.isascii() or not number.isdigit() or not 0 < int(number) <= MAX_ROW:
            raise self.refuse(f"a row is numbered {_quoted(number)}: {_SAVE_AGAIN}")
        else:
            row = int(number)
        if row <= self.row:
            raise SpreadsheetError(
                f"the rows are stored out of order (row {row} after row {self.row}): {_SAVE_AGAIN}",
                sheet=self.sheet,
            )
        self.row, self.column = row, 0

    def start_cell(self, ref: str | None) -> None:
        if ref is None:
            self.column += 1
            ref = f"{_letters(self.column)}{self.row}"
        else:
            match = _REF.fullmatch(ref)
            if not match or _column(match[1]) > MAX_COLUMN:
                raise self.refuse(f"a cell is labelled {_quoted(ref)}: {_SAVE_AGAIN}")
            if int(match[2]) != self.row:
                raise self.refuse(f"cell {ref} is stored in row {self.row}: {_SAVE_AGAIN}")
            self.column = _column(match[1])
        if ref in self.seen:
            raise self.refuse(f"this cell appears twice in the file: {_SAVE_AGAIN}", ref)
        self.seen.add(ref)
        self.ref = ref

    def end_cell(self, element) -> None:
        """Check and read one cell. What is wrong with its contents is noted and the walk goes
        on; a cell with something in it below the return's last row ends the walk."""
        try:
            has_content = self._cell(element)
        except SpreadsheetError as problem:
            self.scan.values.pop(self.ref, None)
            self.scan.problems.append(problem)
            if len(self.scan.problems) >= MAX_PROBLEMS:
                raise SpreadsheetProblems(self.scan.problems) from None
            has_content = True
        if has_content and self.row > self.max_rows:
            raise SpreadsheetError(
                f"there is something in row {self.row}: the return has {self.max_rows} rows",
                sheet=self.sheet,
                cell=f"A{self.row}",
            )

    def _cell(self, element) -> bool:
        """The cell's value into the scan; whether it has anything in it."""
        kind = element.get("t", "n")
        children = {_local(child.tag): child for child in element}
        if kind not in CELL_TYPES:
            raise self.refuse(
                f"this cell has a type ({_quoted(kind)}) that spreadsheet programs do not "
                f"write: {_SAVE_AGAIN}"
            )
        value = (children["v"].text or "") if "v" in children else ""
        formula = children.get("f")
        if formula is not None:
            # A text result may be saved as empty: =IF(B12>0, B12, "") shows nothing.
            saved = bool(value) or kind == "inlineStr" or (kind == "str" and "v" in children)
            self._formula(formula.text or "", saved)
        if kind == "inlineStr":
            text = text_content(children["is"]) if "is" in children else None
            if text is not None:
                self.scan.values[self.ref] = text
            has_content = bool(text) or formula is not None
        else:
            if value:
                self._value(kind, value)
                self.scan.values[self.ref] = self._read(kind, value, element.get("s"))
            has_content = bool(value) or formula is not None
        return has_content

    def _read(self, kind: str, value: str, style: str | None) -> Any:
        """The value, once _value has vouched for it, as openpyxl's reader gives it."""
        if kind == "n":
            number = float(value) if any(c in value for c in ".eE") else int(value)
            if style is None:
                return number
            if not (style.isascii() and style.isdigit()):
                raise self.refuse(f"this cell has a damaged style: {_SAVE_AGAIN}")
            if int(style) not in self.formats.date_styles:
                return number
            try:
                return from_excel(
                    number,
                    self.formats.epoch,
                    timedelta=int(style) in self.formats.duration_styles,
                )
            except (OverflowError, ValueError):
                return "#VALUE!"  # a date past the year 9999: openpyxl's reading, too
        if kind == "s":
            return self.formats.strings[int(value)]
        if kind == "b":
            return value == "1"
        if kind == "d":
            return from_ISO8601(value)
        return value  # "str" (a formula's text) and "e" (an error code)

    def _formula(self, text: str, has_value: bool) -> None:
        if _EXTERNAL.search(_STRING_LITERAL.sub("", text)):
            raise LinkedFormula(
                "this formula links to another workbook: type the figure in instead, save "
                "the workbook and upload it again",
                sheet=self.sheet,
                cell=self.ref,
            )
        if not has_value:
            raise self.refuse(
                "this formula has no saved value. Open the file in a spreadsheet program, "
                "save it, and upload it again"
            )

    def _value(self, kind: str, value: str) -> None:
        if kind == "n":
            if not _NUMBER.fullmatch(value):
                raise self.refuse(
                    f"this cell should hold a number but holds {_quoted(value)}: type the "
                    "amount again"
                )
            number = float(value)
            if not math.isfinite(number):
                raise self.refuse("this number is infinite: type the amount in pounds and pence")
            if abs(number) >= MAX_NUMBER:
                raise self.refuse("this number is too large to be an amount on a return")
        elif kind == "s":
            if not (value.isascii() and value.isdigit() and int(value) < self.shared_strings):
                raise self.refuse(
                    f"this cell points to text that is not in the file (the workbook is "
                    f"damaged): {_SAVE_AGAIN}"
                )
        elif kind == "b" and value not in ("0", "1"):
            raise self.refuse(f"this cell should be TRUE or FALSE but holds {_quoted(value)}")
        elif kind == "d":
            try:
                from_ISO8601(value)
            except (ValueError, TypeError, OverflowError):
                raise self.refuse(
                    f"this cell should hold a date but holds {_quoted(value)}"
                ) from None
        elif kind == "e":
            self.scan.errors[self.ref] = _show(value)

    def merge(self, ref: str | None) -> None:
        if ref is None or not _RANGE.fullmatch(ref):
            raise self.refuse(f"the sheet has a damaged merged range: {_SAVE_AGAIN}", None)
        self.scan.merged.append(ref)


def scan_sheet(
    archive: zipfile.ZipFile, path: str, *, sheet: str, formats: CellFormats, max_rows: int
) -> SheetScan:
    walk = _Walk(sheet, formats, max_rows)
    try:
        with archive.open(path) as stream:
            sheet_parser(walk, sheet).ParseFile(stream)
    except SpreadsheetProblems:
        raise
    except SpreadsheetError as fatal:
        refuse_all([*walk.scan.problems, fatal])
    except Exception as exc:  # not well formed, mismatched tags, DTDs, a damaged zip entry
        where = "just after this cell" if walk.ref else "near its start"
        message = f"the sheet is damaged {where} and cannot be read: {_SAVE_AGAIN}"
        raise walk.refuse(message) from exc
    return walk.scan
