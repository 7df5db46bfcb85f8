"""Columns to fields: what the officer chose for each column of each sheet, remembered per
source system and kind of record and offered again when a file from that source has the same
headings; and a sheet's rows turned into the engine's rows by canonical field name."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from ..auth.models import User
from ..core.bank_values import column_letter
from ..core.types import utcnow
from ..extensions import db
from .fields import BY_NAME, Kind, guess_field, keys
from .models import ColumnMapping, ImportSheet
from .plan import Rows
from .report import Locate

IGNORE = ""


def source_key(source: str) -> str:
    return " ".join(source.split()).casefold()[:80]


@dataclass(frozen=True)
class Offer:
    """The fields offered for a sheet's columns, and whether they are the ones chosen last
    time for a file with these very headings."""

    fields: dict[int, str]  # column index -> field name
    remembered: bool


def offer(source: str, kind: Kind, headings: list[str]) -> Offer:
    saved = db.session.execute(
        select(ColumnMapping).where(
            ColumnMapping.source_key == source_key(source), ColumnMapping.kind == kind
        )
    ).scalar_one_or_none()
    by_heading = json.loads(saved.fields_json) if saved else {}
    fields: dict[int, str] = {}
    for index, heading in enumerate(headings):
        chosen = by_heading.get(heading) if saved else guess_field(kind, heading)
        if chosen and chosen in BY_NAME[kind] and chosen not in fields.values():
            fields[index] = chosen
    same = saved is not None and json.loads(saved.headings_json) == headings
    return Offer(fields, same)


def problems(kind: Kind, fields: dict[int, str], headings: list[str]) -> list[str]:
    """What is wrong with a sheet's mapping: a field chosen for two columns, or a field rows
    are matched on not chosen at all."""
    found = []
    seen: dict[str, int] = {}
    for index, name in sorted(fields.items()):
        if name in seen:
            found.append(
                f"{BY_NAME[kind][name].label.capitalize()} is chosen for two columns "
                f"({headings[seen[name]]} and {headings[index]}): choose it for one"
            )
        seen[name] = index
    for name in keys(kind):
        if name not in seen:
            found.append(
                f"Choose the column with the {BY_NAME[kind][name].label}: rows are matched on it"
            )
    return found


def remember(source: str, kind: Kind, headings: list[str], fields: dict[int, str], actor: User):
    """Keep this sheet's mapping for the next file from the same source."""
    key = source_key(source)
    saved = db.session.execute(
        select(ColumnMapping).where(ColumnMapping.source_key == key, ColumnMapping.kind == kind)
    ).scalar_one_or_none()
    if saved is None:
        saved = ColumnMapping(source_key=key, kind=str(kind))
        db.session.add(saved)
    saved.headings_json = json.dumps(headings)
    saved.fields_json = json.dumps({headings[i]: name for i, name in fields.items()})
    saved.saved_by_id, saved.saved_at = actor.id, utcnow()


def sheet_rows(sheet: ImportSheet) -> Rows:
    """The sheet's rows by field name (rows with nothing in a mapped column left out)."""
    columns = [(int(index), name) for index, name in sheet.mapping.items()]
    rows: Rows = []
    for number, cells in json.loads(sheet.rows_json or "[]"):
        row = {name: cells[index] if index < len(cells) else "" for index, name in columns}
        if any(row.values()):
            rows.append((number, row))
    return rows


def locator(sheets: list[ImportSheet], file_type: str) -> Locate:
    """Where a row's field is in the file, as the officer will look for it: "People, cell
    D14" in a workbook, "row 14, column D (DOB)" in a CSV file."""
    places = {}
    for sheet in sheets:
        if sheet.kind:
            columns = {name: int(index) for index, name in sheet.mapping.items()}
            places[sheet.kind] = (sheet.name, columns, sheet.headings)

    def where(kind: Kind, row: int, name: str | None) -> str:
        sheet_name, columns, headings = places[kind.value]
        index = columns.get(name) if name else None
        if file_type == "xlsx":
            if index is None:
                return f"{sheet_name}, row {row}"
            return f"{sheet_name}, cell {column_letter(index)}{row}"
        if index is None:
            return f"Row {row}"
        return f"Row {row}, column {column_letter(index)} ({headings[index]})"

    return where
