"""The PA hourly direct payment rate, derived from effective-dated components.

Rule (shared/design.md 2.1): holiday = wage x holiday %; pension = (wage + holiday) x pension %;
NI = (wage + holiday) x NI %; then per-hour insurance, payroll and contingency. Each line is
rounded half up to the penny, computed from the rounded lines above it, and the rate is their
sum, so the breakdown a person sees adds up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from ..core.money import ZERO, format_money, round_money
from ..core.types import LabelledEnum


class RateKind(StrEnum):
    LIVING_WAGE = "living_wage"
    HOLIDAY = "holiday_pct"
    PENSION = "pension_pct"
    NI = "ni_pct"
    INSURANCE = "insurance_per_hour"
    PAYROLL = "payroll_per_hour"
    CONTINGENCY = "contingency_per_hour"

    @property
    def is_percentage(self) -> bool:
        return self.value.endswith("_pct")

    @property
    def label(self) -> str:
        return RATE_LABELS[self]


RATE_LABELS = {
    RateKind.LIVING_WAGE: "Hourly pay (the living wage rate)",
    RateKind.HOLIDAY: "Holiday pay",
    RateKind.PENSION: "Employer pension",
    RateKind.NI: "Employer National Insurance",
    RateKind.INSURANCE: "Employer's liability insurance",
    RateKind.PAYROLL: "Payroll service",
    RateKind.CONTINGENCY: "Contingency",
}

# Defaults from shared/facts/rates.md, used by the demo data and first set-up only.
DEFAULT_COMPONENTS = {
    RateKind.HOLIDAY: Decimal("12.07"),
    RateKind.PENSION: Decimal("3.00"),
    RateKind.NI: Decimal("0.00"),
    RateKind.INSURANCE: Decimal("0.10"),
    RateKind.PAYROLL: Decimal("0.15"),
    RateKind.CONTINGENCY: Decimal("0.00"),
}


class ServiceType(LabelledEnum):
    """What an hour of an Option 2 provider's support is: each has its own agreed rate
    (issue 14). Rates from before service types existed are day rates."""

    DAY = "day", "Day support"
    NIGHT = "night", "Waking night"
    SLEEPOVER = "sleepover", "Sleepover"
    TWO_TO_ONE = "two_to_one", "Two-to-one support"


@dataclass(frozen=True)
class RateInputs:
    """Component values in force on one day: pounds per hour, or percentages (12.07 = 12.07%)."""

    wage: Decimal
    holiday_pct: Decimal = ZERO
    pension_pct: Decimal = ZERO
    ni_pct: Decimal = ZERO
    insurance: Decimal = ZERO
    payroll: Decimal = ZERO
    contingency: Decimal = ZERO

    @classmethod
    def from_kinds(cls, values: dict[RateKind, Decimal]) -> RateInputs:
        return cls(
            wage=values[RateKind.LIVING_WAGE],
            holiday_pct=values.get(RateKind.HOLIDAY, ZERO),
            pension_pct=values.get(RateKind.PENSION, ZERO),
            ni_pct=values.get(RateKind.NI, ZERO),
            insurance=values.get(RateKind.INSURANCE, ZERO),
            payroll=values.get(RateKind.PAYROLL, ZERO),
            contingency=values.get(RateKind.CONTINGENCY, ZERO),
        )


@dataclass(frozen=True)
class RateLine:
    label: str
    amount: Decimal
    working: str


@dataclass(frozen=True)
class RateBreakdown:
    effective_on: date
    lines: tuple[RateLine, ...]

    @cached_property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def sentence(self) -> str:
        """'wage £12.60 + holiday £1.52 + … = £14.57 an hour'"""
        parts = " + ".join(
            f"{line.label.lower()} {format_money(line.amount)}" for line in self.lines
        )
        return f"{parts} = {format_money(self.total)} an hour"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def pa_hourly_rate(inputs: RateInputs, effective_on: date) -> RateBreakdown:
    wage = round_money(inputs.wage)
    holiday = round_money(wage * inputs.holiday_pct / 100)
    pay = wage + holiday
    pension = round_money(pay * inputs.pension_pct / 100)
    ni = round_money(pay * inputs.ni_pct / 100)
    lines = [
        RateLine("Hourly pay", wage, "the living wage rate"),
        RateLine("Holiday pay", holiday, f"{format_money(wage)} x {_pct(inputs.holiday_pct)}"),
        RateLine("Employer pension", pension, f"{format_money(pay)} x {_pct(inputs.pension_pct)}"),
        RateLine("Employer National Insurance", ni, f"{format_money(pay)} x {_pct(inputs.ni_pct)}"),
        RateLine("Insurance", round_money(inputs.insurance), "per hour"),
        RateLine("Payroll service", round_money(inputs.payroll), "per hour"),
        RateLine("Contingency", round_money(inputs.contingency), "per hour"),
    ]
    return RateBreakdown(effective_on, tuple(lines))


def uplift_percentage(old_wage: Decimal, new_wage: Decimal) -> Decimal:
    """The rise as a percentage to 4 places (councils apply the same % to providers)."""
    return ((new_wage - old_wage) / old_wage * 100).quantize(Decimal("0.0001"))


def uplifted(amount: Decimal, old_wage: Decimal, new_wage: Decimal) -> Decimal:
    """An Option 2 provider rate raised by the same proportion as the living wage."""
    return round_money(amount * new_wage / old_wage)


_NOT_YET = object()  # a cached value may itself be None


@dataclass(frozen=True)
class RateBook:
    """Every rate row and provider rate, answering 'what was in force on this day?'.

    Built once per run or page from a few hundred rows, so lookups need no queries.
    `rows` holds (kind, effective_from, row id, value) with values as Decimals (pounds or
    percentages); for one date, the row with the highest id wins (corrections are new rows).
    """

    rows: tuple[tuple[RateKind, date, int, Decimal], ...]
    # (organisation id, effective_from, row id, hourly rate, service type)
    provider_rows: tuple[tuple[int, date, int, Decimal, str], ...] = ()
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def _latest(self, kind: RateKind, day: date) -> Decimal | None:
        best = None
        for row_kind, start, row_id, value in self.rows:
            if row_kind == kind and start <= day and (best is None or (start, row_id) > best[0]):
                best = ((start, row_id), value)
        return None if best is None else best[1]

    def inputs_on(self, day: date) -> RateInputs | None:
        values = {kind: self._latest(kind, day) for kind in RateKind}
        if values[RateKind.LIVING_WAGE] is None:
            return None
        return RateInputs.from_kinds({k: v for k, v in values.items() if v is not None})

    def pa_rate_on(self, day: date) -> RateBreakdown | None:
        key = ("pa", day)
        if key not in self._memo:
            inputs = self.inputs_on(day)
            self._memo[key] = None if inputs is None else pa_hourly_rate(inputs, day)
        return self._memo[key]

    def provider_rate_on(
        self, organisation_id: int, day: date, service: str = ServiceType.DAY
    ) -> Decimal | None:
        """The provider's agreed hourly rate for this kind of support on `day`."""
        key = ("provider", organisation_id, day, service)
        if key not in self._memo:
            self._memo[key] = self._provider_rate(organisation_id, day, service)
        return self._memo[key]

    def _provider_rate(self, organisation_id: int, day: date, service: str) -> Decimal | None:
        best = None
        for org, start, row_id, value, row_service in self.provider_rows:
            if (
                org == organisation_id
                and row_service == service
                and start <= day
                and (best is None or (start, row_id) > best[0])
            ):
                best = ((start, row_id), value)
        return None if best is None else best[1]

    def change_dates(self) -> set[date]:
        return {start for _, start, _, _ in self.rows} | {
            start for _, start, _, _, _ in self.provider_rows
        }

    def changes_within(self, start: date, end: date) -> bool:
        """Whether any rate starts on a day after `start` up to `end`."""
        key = ("within", start, end)
        if key not in self._memo:
            self._memo[key] = any(start < day <= end for day in self.change_dates())
        return self._memo[key]

    def cached(self, key, make):
        """Work that depends only on the rates, done once per book (a run builds one book)."""
        made = self._memo.get(key, _NOT_YET)
        if made is _NOT_YET:
            made = self._memo[key] = make()
        return made
