"""A strict walk over one sheet's XML, before any value is believed.

openpyxl trusts the file: an unknown cell type comes back as raw text, "NaN" or "abc" in a
number cell or "yes" in a boolean one raises a bare ValueError, a negative shared-string index
silently picks the last string, and a row filed out of order is dropped. This scan checks
each cell against ECMA-376 Part 1 (18.3.1.4 c, 18.18.11 ST_CellType, 18.3.1.73 row) and
refuses, naming the cell, anything a spreadsheet program would not have written.
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field

from defusedxml.ElementTree import iterparse

from .filetypes import SpreadsheetError

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


@dataclass
class SheetScan:
    filled: set[str] = field(default_factory=set)  # cells that have a value
    errors: dict[str, str] = field(default_factory=dict)  # cells showing #DIV/0! and the like
    merged: list[str] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _show(text: str) -> str:
    shown = "".join(char for char in text if char.isprintable())
    return shown if len(shown) <= 20 else shown[:20] + "…"


def _quoted(text: str) -> str:
    return '"' + _show(text) + '"'


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _letters(column: int) -> str:
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


class _Walk:
    def __init__(self, sheet: str, shared_strings: int, max_rows: int):
        self.sheet, self.shared_strings, self.max_rows = sheet, shared_strings, max_rows
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
            text = "".join(children["is"].itertext()) if "is" in children else None
            if text is not None:
                self.scan.filled.add(self.ref)
            has_content = bool(text) or formula is not None
        else:
            if value:
                self._value(kind, value)
                self.scan.filled.add(self.ref)
            has_content = bool(value) or formula is not None
        if has_content and self.row > self.max_rows:
            raise SpreadsheetError(
                f"there is something in row {self.row}: the return has {self.max_rows} rows",
                sheet=self.sheet,
                cell=f"A{self.row}",
            )

    def _formula(self, text: str, has_value: bool) -> None:
        if _EXTERNAL.search(_STRING_LITERAL.sub("", text)):
            raise self.refuse(
                "this formula links to another workbook: type the figure in instead, save "
                "the workbook and upload it again"
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
            from openpyxl.utils.datetime import from_ISO8601

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
    archive: zipfile.ZipFile, path: str, *, sheet: str, shared_strings: int, max_rows: int
) -> SheetScan:
    walk = _Walk(sheet, shared_strings, max_rows)
    stack: list[str] = []
    try:
        with archive.open(path) as stream:
            for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
                name = _local(element.tag)
                if event == "start":
                    stack.append(name)
                    if name == "row" and stack[-2:-1] == ["sheetData"]:
                        walk.start_row(element.get("r"))
                    elif name == "c" and stack[-3:-1] == ["sheetData", "row"]:
                        walk.start_cell(element.get("r"))
                    continue
                stack.pop()
                if name == "c" and stack[-2:] == ["sheetData", "row"]:
                    walk.end_cell(element)
                    element.clear()
                elif name == "mergeCell":
                    walk.merge(element.get("ref"))
    except SpreadsheetError:
        raise
    except Exception as exc:  # not well formed, mismatched tags, DTDs, a damaged zip entry
        where = "just after this cell" if walk.ref else "near its start"
        message = f"the sheet is damaged {where} and cannot be read: {_SAVE_AGAIN}"
        raise walk.refuse(message) from exc
    return walk.scan
