"""The SDS reports: each report's page data and its spreadsheet, and the quarterly return in
the layout of the Source social care collection (docs/sds-return.md says which, and why).
Read only, except that every download is recorded in the audit log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..auth.models import User
from ..core.audit import record_download
from ..core.errors import NotFound, RuleError
from ..core.spreadsheets import workbook_bytes
from ..monitoring.spend_totals import totals_as_of
from . import sds_figures as figures
from . import sds_money as money
from .sds_chart import trend_chart

REPORTS = {
    "options": "People and spend by SDS option",
    "budget": "Direct-payment spend against budget",
    "recoveries": "Recoveries raised and recovered",
    "reminders": "Reminders on time",
    "living-wage": "Living-wage compliance",
}
# The reports that read the totals worked out each morning (monitoring/spend_totals.py).
FROM_TOTALS = ("options", "budget", "living-wage")
OPTION_NAMES = {1: "Option 1", 2: "Option 2", 4: "Option 4"}
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_from(text: str | None, today: date) -> figures.Quarter:
    """'2026Q3' (the financial year starting in 2026, its third quarter), or this quarter
    when none is given. RuleError names the form wanted."""
    if not text:
        return figures.quarter_of(today)
    match = _QUARTER.match(text.strip().upper())
    if not match:
        raise RuleError("Choose a quarter written like 2026Q3 (the year the financial year starts)")
    year, number = int(match.group(1)), int(match.group(2))
    month = 4 + (number - 1) * 3
    first = date(year + (month > 12), (month - 1) % 12 + 1, 1)
    return figures.quarter_of(first)


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    quarter: figures.Quarter
    data: dict[str, Any]
    sheets: dict[str, tuple[list[str], list[list]]]
    as_of: date | None = None  # the morning the totals it reads were worked out

    @property
    def from_totals(self) -> bool:
        return self.name in FROM_TOTALS


def report(name: str, today: date, quarter: figures.Quarter) -> Report:
    """One report's figures for the page and the spreadsheet."""
    if name not in REPORTS:
        raise NotFound(f"report {name}")
    quarters = figures.last_quarters(quarter.period.end)
    build = {
        "options": _options,
        "budget": _budget,
        "recoveries": _recoveries,
        "reminders": _reminders,
        "living-wage": _living_wage,
    }[name]
    data, sheets = build(quarters, quarter, today)
    as_of = totals_as_of() if name in FROM_TOTALS else None
    return Report(name, REPORTS[name], quarter, data, sheets, as_of)


def _options(quarters, quarter, today):
    trend = figures.option_trend(quarters)
    labels = [q.label for q in quarters]
    localities = figures.by_locality(quarter)
    people_chart = trend_chart(
        "People by SDS option",
        labels,
        {OPTION_NAMES[o]: trend.people[o] for o in figures.OPTIONS},
    )
    header = ["Quarter", *(f"{OPTION_NAMES[o]} people" for o in figures.OPTIONS)]
    header += [f"{OPTION_NAMES[o]} spend" for o in figures.OPTIONS]
    rows = [
        [q.label, *(trend.people[o][i] for o in figures.OPTIONS)]
        + [trend.spend[o][i] for o in figures.OPTIONS]
        for i, q in enumerate(quarters)
    ]
    place_header = ["Locality", *(f"{OPTION_NAMES[o]} people" for o in figures.OPTIONS)]
    place_header += [f"{OPTION_NAMES[o]} spend" for o in figures.OPTIONS] + ["People", "Spend"]
    place_rows = [
        [r.locality, *(r.people[o] for o in figures.OPTIONS)]
        + [r.spend[o] for o in figures.OPTIONS]
        + [r.total_people, r.total_spend]
        for r in localities
    ]
    data = {"trend": trend, "chart": people_chart, "localities": localities}
    return data, {
        "By quarter": (header, rows),
        f"By locality {quarter.code}": (place_header, place_rows),
    }


def _budget(quarters, quarter, today):
    years = money.spend_against_budget(min(today, quarter.period.end))
    header = ["Financial year", "Budgets a year", "Paid by the council", "Paid as % of budget"]
    header.append("Spending on accepted returns")
    rows = [[y.label, y.budget, y.paid, y.paid_share, y.reported] for y in years]
    return {"years": years}, {"Spend against budget": (header, rows)}


def _recoveries(quarters, quarter, today):
    rows = figures.recoveries(quarters)
    header = ["Quarter", "Raised", "Amount raised", "Recovered to date", "Outstanding"]
    header += ["By deduction", "By invoice", "Cancelled"]
    sheet = [
        [r.quarter.label, r.raised, r.raised_amount, r.recovered_amount, r.outstanding, *r.methods]
        for r in rows
    ]
    return {"rows": rows}, {"Recoveries": (header, sheet)}


def _reminders(quarters, quarter, today):
    rows = money.reminders_on_time(quarters)
    chart = trend_chart(
        "First reminders issued",
        [r.quarter.label for r in rows],
        {"Issued": [r.issued for r in rows], "Issued late": [r.late for r in rows]},
    )
    header = ["Quarter (returns due)", "First reminders", "Issued late", "On time %"]
    sheet = [[r.quarter.label, r.issued, r.late, r.on_time_share] for r in rows]
    return {"rows": rows, "chart": chart}, {"Reminders on time": (header, sheet)}


def _living_wage(quarters, quarter, today):
    rows = money.living_wage(quarters)
    employers = money.pa_employers(min(today, quarter.period.end))
    header = ["Quarter", "Funded PA wage", "Scottish minimum", "Meets it", "Source"]
    meets = {True: "Yes", False: "No", None: ""}
    sheet = [[r.quarter.label, r.funded, r.minimum, meets[r.compliant], r.source] for r in rows]
    return {"rows": rows, "employers": employers}, {"Living wage": (header, sheet)}


def report_workbook(name: str, today: date, quarter, *, actor: User) -> tuple[bytes, str]:
    found = report(name, today, quarter)
    filename = f"sds-{name}-{quarter.code}.xlsx"
    record_download(actor, "sds_report", filename, detail=found.title)
    return workbook_bytes(found.sheets), filename
