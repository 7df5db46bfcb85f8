"""Keeping the employer-cost figures up to date: HMRC and The Pensions Regulator publish new
thresholds for each tax year, and an administrator adds them as rows (never edited: a
correction is a newer row for the same date, which wins). Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..auth.models import User
from ..core import audit
from ..core.errors import RuleError
from ..core.money import from_pence, to_pence
from ..extensions import db
from .models import CostRate, CostRateKind

LABELS = {
    CostRateKind.NI_RATE: ("Employer National Insurance rate", "a percentage, like 15"),
    CostRateKind.NI_SECONDARY_THRESHOLD: (
        "National Insurance secondary threshold, a week",
        "pounds a week, like 96.00",
    ),
    CostRateKind.EMPLOYMENT_ALLOWANCE: ("Employment Allowance, a year", "pounds, like 10500.00"),
    CostRateKind.PENSION_TRIGGER: ("Pension earnings trigger, a week", "pounds a week"),
    CostRateKind.PENSION_LOWER: ("Pension qualifying earnings from, a week", "pounds a week"),
    CostRateKind.PENSION_UPPER: ("Pension qualifying earnings to, a week", "pounds a week"),
    CostRateKind.PENSION_EMPLOYER_RATE: ("Employer pension contribution", "a percentage"),
    CostRateKind.HOLIDAY_RATE: ("Holiday accrual", "a percentage, like 12.07"),
}


def stored_value(kind: CostRateKind, value: Decimal) -> int:
    """Pence, or hundredths of a percent; RuleError for more than 2 decimal places."""
    if value < 0:
        raise RuleError("Enter a figure of 0 or more")
    if value != value.quantize(Decimal("0.01")):
        raise RuleError("Enter the figure to no more than 2 decimal places")
    if kind.is_percentage:
        if value > 100:
            raise RuleError("A percentage cannot be more than 100")
        return int(value * 100)
    return to_pence(value)


def add_cost_rate(
    kind: CostRateKind, effective_from: date, value: Decimal, source_note: str, *, actor: User
) -> CostRate:
    row = CostRate(
        kind=str(kind),
        effective_from=effective_from,
        value=stored_value(kind, value),
        source_note=source_note,
        created_by_id=actor.id,
    )
    return audit.add_dated_figure(
        row, actor=actor, action="employer_cost_rate.added", label=LABELS[kind][0], value=value
    )


@dataclass(frozen=True)
class RateLine:
    row: CostRate
    label: str
    shown: str


def history() -> list[RateLine]:
    """Every row, newest date first, with its value as people read it."""
    rows = db.session.execute(
        select(CostRate).order_by(CostRate.effective_from.desc(), CostRate.kind, CostRate.id)
    ).scalars()
    lines = []
    for row in rows:
        kind = CostRateKind(row.kind)
        shown = (
            f"{Decimal(row.value) / 100}%" if kind.is_percentage else f"£{from_pence(row.value):,}"
        )
        lines.append(RateLine(row, LABELS[kind][0], shown))
    return lines
