"""A budget's weekly amount: the sum of its lines, each hours x rate or a fixed amount.

Not rounded: only a period's total is rounded (shared/design.md 2.1 and 2.2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ..core.money import ZERO, format_money
from ..core.types import LabelledEnum
from .rates import ServiceType

WEEKS_A_YEAR = Decimal(52)


class LineKind(LabelledEnum):
    PA_HOURS = "pa_hours", "Personal assistant hours a week"
    PROVIDER_HOURS = "provider_hours", "Provider hours a week (Option 2)"
    FIXED_WEEKLY = "fixed_weekly", "A fixed amount each week"
    FIXED_ANNUAL = "fixed_annual", "A fixed amount each year"


# Compared by identity: a run interns one LineSpec per distinct line, so a set of lines is
# hashed by identity in the pricing cache instead of field by field for every account.
@dataclass(frozen=True, eq=False)
class LineSpec:
    kind: LineKind
    description: str
    hours: Decimal | None = None
    amount: Decimal | None = None
    provider_id: int | None = None
    service_type: str = "day"  # provider hours: which agreed rate prices them (ServiceType)


@dataclass(frozen=True)
class PricedLine:
    spec: LineSpec
    weekly: Decimal
    working: str


def price_lines(
    lines: list[LineSpec],
    pa_rate: Decimal | None,
    provider_rate: Callable[[int, str], Decimal | None],
    *,
    explain: bool = True,
) -> list[PricedLine]:
    """Each line's weekly amount with its working ('20 hours x £14.79'); a whole-council run
    passes explain=False, as the breakdown it stores has the figures without the words.

    Raises LookupError when a rate the line needs is not set for the day.
    """
    priced = []
    for line in lines:
        if line.kind == LineKind.PA_HOURS:
            if pa_rate is None:
                raise LookupError("No living wage rate is set for this date")
            weekly = line.hours * pa_rate
            working = (
                f"{line.hours.normalize():f} hours x {format_money(pa_rate)}" if explain else ""
            )
        elif line.kind == LineKind.PROVIDER_HOURS:
            rate = provider_rate(line.provider_id, line.service_type)
            if rate is None:
                raise LookupError(
                    f"The provider has no {ServiceType(line.service_type).label.lower()} "
                    "rate for this date"
                )
            weekly = line.hours * rate
            working = f"{line.hours.normalize():f} hours x {format_money(rate)}" if explain else ""
        elif line.kind == LineKind.FIXED_WEEKLY:
            weekly = line.amount
            working = "a week"
        else:
            weekly = line.amount / WEEKS_A_YEAR
            working = f"{format_money(line.amount)} a year / 52" if explain else ""
        priced.append(PricedLine(line, weekly, working))
    return priced


def weekly_total(priced: list[PricedLine]) -> Decimal:
    return sum((p.weekly for p in priced), ZERO)
