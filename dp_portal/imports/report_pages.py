"""What an import's page shows: its state and counts, and one list at a time from its
report (the problems, or the rows that would be new, changed or left alone), a page at a
time. Reads the report kept with the import; never checks anything again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.pagination import BoundedPage, list_page
from .fields import Kind
from .lifecycle import ImportState
from .models import Import
from .report import Action

PER_PAGE = 100
# The lists the page offers: (its name in the address, its title, the actions it lists).
LISTS = {
    "problems": "Problems",
    "create": "New",
    "update": "Changed",
    "unchanged": "No change",
}


@dataclass(frozen=True)
class CountRow:
    kind: Kind
    sheet: str
    rows: int
    counts: dict[str, int]


@dataclass(frozen=True)
class ReportView:
    record: Import
    counts: list[CountRow]
    totals: dict[str, int]  # list name -> how many it holds
    show: str
    items: BoundedPage
    can_apply: bool
    refresh: bool  # the page reloads itself while the import is applying

    def sheet_of(self, kind: str) -> str:
        return next((row.sheet for row in self.counts if row.kind.value == kind), kind)


def report_view(record: Import, *, show: str | None, page: int) -> ReportView:
    report: dict[str, Any] = record.report or {}
    sheets = {sheet.kind: sheet.name for sheet in record.sheets if sheet.kind}
    counts = [
        CountRow(Kind(kind), sheets.get(kind, Kind(kind).label), rows, report["counts"][kind])
        for kind, rows in report.get("rows", {}).items()
    ]
    outcomes = report.get("outcomes", [])
    totals = {"problems": report.get("problem_count", 0)} | {
        action.value: sum(1 for o in outcomes if o["action"] == action) for action in Action
    }
    if show not in LISTS:
        show = "problems" if totals["problems"] else "create" if totals["create"] else "update"
    items = (
        report.get("problems", [])
        if show == "problems"
        else [o for o in outcomes if o["action"] == show]
    )
    return ReportView(
        record,
        counts,
        totals,
        show,
        list_page(items, page, per_page=PER_PAGE),
        can_apply=record.state == ImportState.CHECKED and not totals["problems"],
        refresh=record.state == ImportState.APPLYING,
    )
