"""A period's payment: the sum over its days of the weekly budget in force that day / 7,
less the client contribution / 7 a day (net payments), less recovery offsets, rounded once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from ..core.calendar import Period
from ..core.money import ZERO, round_money, to_pence

SEVEN = Decimal(7)


@dataclass(frozen=True)
class Weekly:
    """What is in force on a day: the weekly budget, the weekly contribution deducted (net
    payment), and the weekly contribution invoiced instead (gross payment, reg. 4)."""

    budget: Decimal
    contribution: Decimal = ZERO
    lines: tuple[tuple[str, Decimal], ...] = ()
    invoiced: Decimal = ZERO

    @classmethod
    def nothing(cls) -> Weekly:
        return cls(ZERO)


@dataclass(frozen=True)
class Segment:
    start: date
    end: date
    weekly: Weekly

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def budget(self) -> Decimal:
        return self.weekly.budget * self.days / SEVEN

    @property
    def contribution(self) -> Decimal:
        return self.weekly.contribution * self.days / SEVEN

    @property
    def invoiced(self) -> Decimal:
        return self.weekly.invoiced * self.days / SEVEN


@dataclass(frozen=True)
class PeriodAmount:
    period: Period
    segments: tuple[Segment, ...]
    offsets: tuple[tuple[str, Decimal], ...] = field(default=())

    # Cached: a whole-council run asks for each of these more than once per account.
    @cached_property
    def budget(self) -> Decimal:
        return sum((s.budget for s in self.segments), ZERO)

    @cached_property
    def contribution(self) -> Decimal:
        return sum((s.contribution for s in self.segments), ZERO)

    @cached_property
    def invoiced(self) -> Decimal:
        """Gross payment: the contribution to invoice for the period, rounded once."""
        return round_money(sum((s.invoiced for s in self.segments), ZERO))

    @cached_property
    def offset_total(self) -> Decimal:
        return sum((amount for _, amount in self.offsets), ZERO)

    @cached_property
    def total(self) -> Decimal:
        """Rounded once, half up, to the penny."""
        return round_money(self.budget - self.contribution - self.offset_total)

    @cached_property
    def total_pence(self) -> int:
        return to_pence(self.total)

    @cached_property
    def contribution_pence(self) -> int:
        return to_pence(round_money(self.contribution))

    @cached_property
    def invoiced_pence(self) -> int:
        return to_pence(self.invoiced)

    @cached_property
    def offset_pence(self) -> int:
        return to_pence(self.offset_total)

    @cached_property
    def breakdown_json(self) -> str:
        """The breakdown as stored, with no arrears (a run shares it across accounts)."""
        return json.dumps(self.breakdown() | {"arrears": []}, separators=(",", ":"))

    def breakdown(self) -> dict:
        """JSON-ready: what the payment is made of, for the remittance advice and the audit."""
        return {
            "period": [self.period.start.isoformat(), self.period.end.isoformat()],
            "segments": [
                {
                    "from": s.start.isoformat(),
                    "to": s.end.isoformat(),
                    "days": s.days,
                    "weekly_budget": str(s.weekly.budget),
                    "weekly_contribution": str(s.weekly.contribution),
                    "lines": [[label, str(amount)] for label, amount in s.weekly.lines],
                }
                for s in self.segments
            ],
            "budget": str(self.budget),
            "contribution": str(self.contribution),
            "invoiced": str(self.invoiced),
            "offsets": [[label, str(amount)] for label, amount in self.offsets],
            "total": str(self.total),
        }


def period_amount(
    period: Period,
    weekly_on: Callable[[date], Weekly],
    change_dates: Iterable[date],
    offsets: tuple[tuple[str, Decimal], ...] = (),
) -> PeriodAmount:
    """Split the period where anything changes, price each piece by its days, sum, round once.

    `change_dates` are the days something may start to differ (a budget version, a rate, the
    account's start or the day after its end); `weekly_on(day)` says what is in force that day.
    """
    starts = sorted({period.start, *(d for d in change_dates if period.start < d <= period.end)})
    segments: list[Segment] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else period.end
        weekly = weekly_on(start)
        if segments and segments[-1].weekly == weekly:
            segments[-1] = Segment(segments[-1].start, end, weekly)
        else:
            segments.append(Segment(start, end, weekly))
    return PeriodAmount(period, tuple(segments), offsets)
