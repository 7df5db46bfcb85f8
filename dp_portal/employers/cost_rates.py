"""Loading the published employer-cost figures for the PA cost calculator.

The figures are effective-dated rows in `employer_cost_rates` (seeded by migration 0011 from
shared/facts/rates.md; a correction is a newer row, and for one date the newest row wins).
The tax year is chosen by the date asked about: UK tax years run 6 April to 5 April, and the
calculator answers only for a tax year whose own rows are on file (a date in a later year is
refused rather than priced at an old year's rates). The Scottish minimum for adult social care
is the payments rate book's living wage row in force on that date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..core.errors import RuleError
from ..core.money import from_pence
from ..extensions import db
from ..payments.rates import RateKind
from ..payments.services import rate_book
from .models import CostRate, CostRateKind
from .pa_costs import HUNDRED, CostRates, tax_year_start

# Published once per tax year (HMRC): the year must have its own row for each.
PER_TAX_YEAR = (
    CostRateKind.NI_RATE,
    CostRateKind.NI_SECONDARY_THRESHOLD,
    CostRateKind.EMPLOYMENT_ALLOWANCE,
)


def _value(kind: CostRateKind, stored: int) -> Decimal:
    return Decimal(stored) / HUNDRED if kind.is_percentage else from_pence(stored)


def _in_force(day: date) -> dict[CostRateKind, tuple[date, Decimal]]:
    """Each kind's newest row effective on or before `day`: (its date, its value)."""
    rows = db.session.execute(
        select(CostRate.kind, CostRate.effective_from, CostRate.value)
        .where(CostRate.effective_from <= day)
        .order_by(CostRate.effective_from, CostRate.id)
    ).all()
    found: dict[CostRateKind, tuple[date, Decimal]] = {}
    for kind, start, value in rows:
        found[CostRateKind(kind)] = (start, _value(CostRateKind(kind), value))
    return found


def years_on_file() -> tuple[date, date] | None:
    """(first day, last day) of the tax years with rates on file, for messages."""
    first, last = db.session.execute(
        select(func.min(CostRate.effective_from), func.max(CostRate.effective_from)).where(
            CostRate.kind == CostRateKind.NI_RATE.value
        )
    ).one()
    if first is None:
        return None
    start, end = tax_year_start(first), tax_year_start(last)
    return start, date(end.year + 1, 4, 5)


def _outside_message() -> str:
    span = years_on_file()
    if span is None:
        return "There are no employer cost rates on file yet"
    first, last = span
    return (
        f"Enter a date from {first.day} {first:%B %Y} to {last.day} {last:%B %Y}: "
        "we only have the rates for those tax years"
    )


def scottish_minimum_on(day: date) -> tuple[Decimal, date] | None:
    """The Scottish minimum hourly rate for adult social care in force on `day`, and the
    date it took effect (the payments rate book's living wage rows)."""
    book = rate_book()
    best = None
    for kind, start, row_id, value in book.rows:
        if (
            kind == RateKind.LIVING_WAGE
            and start <= day
            and (best is None or (start, row_id) > best[0])
        ):
            best = ((start, row_id), value)
    return None if best is None else (best[1], best[0][0])


def rates_on(day: date) -> CostRates:
    """The figures for the tax year `day` falls in; RuleError (naming the years on file)
    when that year's rates are not on file."""
    start = tax_year_start(day)
    found = _in_force(day)
    missing = [kind for kind in CostRateKind if kind not in found]
    stale = [kind for kind in PER_TAX_YEAR if kind in found and found[kind][0] < start]
    if missing or stale:
        raise RuleError(_outside_message())
    minimum = scottish_minimum_on(day)
    return CostRates(
        tax_year_start=start,
        ni_rate=found[CostRateKind.NI_RATE][1],
        ni_threshold=found[CostRateKind.NI_SECONDARY_THRESHOLD][1],
        employment_allowance=found[CostRateKind.EMPLOYMENT_ALLOWANCE][1],
        pension_trigger=found[CostRateKind.PENSION_TRIGGER][1],
        pension_lower=found[CostRateKind.PENSION_LOWER][1],
        pension_upper=found[CostRateKind.PENSION_UPPER][1],
        pension_rate=found[CostRateKind.PENSION_EMPLOYER_RATE][1],
        holiday_rate=found[CostRateKind.HOLIDAY_RATE][1],
        scottish_minimum=minimum[0] if minimum else None,
        minimum_from=minimum[1] if minimum else None,
    )


def source_notes(day: date) -> list[tuple[str, str]]:
    """(tax year, source note) of each figure used on `day`, for the page's sources list."""
    rows = db.session.execute(
        select(CostRate.kind, CostRate.effective_from, CostRate.source_note)
        .where(CostRate.effective_from <= day)
        .order_by(CostRate.effective_from, CostRate.id)
    ).all()
    notes: dict[str, str] = {}
    for kind, _start, note in rows:
        notes[kind] = note
    return [(kind, note) for kind, note in notes.items()]
