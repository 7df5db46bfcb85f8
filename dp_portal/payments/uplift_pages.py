"""The uplift preview as pages an administrator can work through: every affected account,
sorted and paged, with the totals first and a spreadsheet of all of them. Nothing here
changes anything; applying is uplift.apply_uplift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..auth.models import User
from ..core.audit import record_download
from ..core.money import round_money
from ..core.pagination import BoundedPage, list_page
from ..core.spreadsheets import workbook_bytes
from .uplift import AccountChange, UpliftPreview, preview_uplift

# sort key -> (how to sort, largest first?)
SORTS = {
    "reference": (lambda c: c.reference, False),
    "name": (lambda c: (c.name.lower(), c.reference), False),
    "new_weekly": (lambda c: (c.new_weekly, c.reference), True),
    "difference": (lambda c: (c.difference, c.reference), True),
}
DEFAULT_SORT = "reference"


@dataclass(frozen=True)
class Totals:
    """The extra cost of the uplift across every affected account, with its working."""

    accounts: int
    weekly: Decimal

    @property
    def four_weekly(self) -> Decimal:
        return round_money(self.weekly * 4)

    @property
    def yearly(self) -> Decimal:
        return round_money(self.weekly * 52)


@dataclass(frozen=True)
class PreviewPage:
    preview: UpliftPreview
    totals: Totals
    sort: str
    page: BoundedPage  # of AccountChange


def sorted_changes(changes: list[AccountChange], sort: str) -> list[AccountChange]:
    key, largest_first = SORTS.get(sort, SORTS[DEFAULT_SORT])
    return sorted(changes, key=key, reverse=largest_first)


def preview_page(new_wage: Decimal, effective_from: date, *, sort: str, page: int) -> PreviewPage:
    """One page (50 accounts) of the uplift's preview, in the order asked for."""
    preview = preview_uplift(new_wage, effective_from)
    sort = sort if sort in SORTS else DEFAULT_SORT
    totals = Totals(len(preview.changes), preview.weekly_increase)
    return PreviewPage(
        preview, totals, sort, list_page(sorted_changes(preview.changes, sort), page)
    )


def preview_workbook(new_wage: Decimal, effective_from: date, *, actor: User) -> tuple[bytes, str]:
    """Every affected account as a spreadsheet, and its file name; the download is audited."""
    preview = preview_uplift(new_wage, effective_from)
    header = [
        "Account",
        "Person",
        "SDS option",
        "Weekly now",
        "Weekly new",
        "4-weekly new",
        "Yearly new",
        "Difference a week",
    ]
    rows = (
        [
            c.reference,
            c.name,
            c.sds_option,
            c.old_weekly,
            c.new_weekly,
            c.new_four_weekly,
            c.new_annual,
            c.difference,
        ]
        for c in sorted_changes(preview.changes, DEFAULT_SORT)
    )
    name = f"uplift-preview-{effective_from.isoformat()}.xlsx"
    data = workbook_bytes({"Affected accounts": (header, rows)})
    record_download(
        actor, "uplift_preview", name, detail=f"{len(preview.changes)} accounts, to {new_wage}"
    )
    return data, name
