"""What employing personal assistants really costs: the PA cost calculator's rules.

Pure: Decimal in, Decimal out, no database and no Flask. The published figures come in as a
CostRates (loaded by employers/cost_rates.py from the effective-dated rows for the tax year
of the date asked about) and the rules follow shared/facts/rates.md and design.md 2.6:

- wages = hours x hourly wage; holiday pay = wages x 12.07% (5.6 / 46.4, for irregular-hours
  and part-year workers, leave years from 1 April 2024); gross pay = wages + holiday pay;
- employer National Insurance (Class 1 secondary) = (gross - weekly secondary threshold) x
  rate, when positive, for each PA separately (thresholds apply per employee);
- employer pension (auto-enrolment) = (gross, capped at the upper limit, - the lower limit)
  x the employer rate, owed only when gross pay including holiday pay is above the earnings
  trigger (The Pensions Regulator: £10,000 a year, £192 a week);
- the Employment Allowance is one per employer per year: it reduces the year's employer NI
  across all PAs, never below zero, and can run out part-way through the year;
- insurance and payroll service costs are entered a year, and shared over the weeks.

Rounding: every line to the penny from the rounded lines above it, half up, except employer
NI, which HMRC rounds to the nearest penny with an exact half penny rounding down (Social
Security (Contributions) Regulations 2001, reg. 12(1)): core.money.round_employer_ni.
Every figure carries its working, written out as a person would check it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..core.money import ZERO, round_employer_ni, round_money

HUNDRED = Decimal(100)
# The working uses the multiplication and minus signs a person writes (as in facts/rates.md).
TIMES = "\u00d7"
MINUS = "\u2212"
DEFAULT_WEEKS = 52


def tax_year_start(day: date) -> date:
    """UK tax years run from 6 April to 5 April."""
    start = date(day.year, 4, 6)
    return start if day >= start else date(day.year - 1, 4, 6)


def tax_year_label(start: date) -> str:
    """'2025/26' for the year from 6 April 2025."""
    return f"{start.year}/{(start.year + 1) % 100:02d}"


def pounds(value: Decimal) -> str:
    """'268.97', '1,453.92' (the working shows plain figures, as in facts/rates.md)."""
    return f"{value:,.2f}"


def whole_or_pence(value: Decimal) -> str:
    """Thresholds read as published: '175', '96', but '12.50' if it had pence."""
    return f"{value:,.0f}" if value == value.to_integral_value() else pounds(value)


def percent(value: Decimal) -> str:
    """'13.8%', '15%', '12.07%'."""
    text = f"{value.normalize():f}"
    return f"{text}%"


@dataclass(frozen=True)
class CostRates:
    """The published figures in force for one tax year (weekly amounts in pounds,
    percentages as 13.8 for 13.8%), and the Scottish minimum hourly rate in force on the day
    (None when the council has not recorded one for that day)."""

    tax_year_start: date
    ni_rate: Decimal
    ni_threshold: Decimal
    employment_allowance: Decimal
    pension_trigger: Decimal
    pension_lower: Decimal
    pension_upper: Decimal
    pension_rate: Decimal
    holiday_rate: Decimal
    scottish_minimum: Decimal | None = None
    minimum_from: date | None = None

    @property
    def tax_year(self) -> str:
        return tax_year_label(self.tax_year_start)


@dataclass(frozen=True)
class PaInput:
    hours: Decimal  # a week
    wage: Decimal  # pounds an hour


@dataclass(frozen=True)
class CostInputs:
    pas: tuple[PaInput, ...]
    on: date
    employment_allowance: bool
    weeks: int = DEFAULT_WEEKS
    insurance_yearly: Decimal = ZERO
    payroll_yearly: Decimal = ZERO

    @property
    def hours(self) -> Decimal:
        return sum((pa.hours for pa in self.pas), ZERO)


@dataclass(frozen=True)
class Figure:
    amount: Decimal
    working: str


@dataclass(frozen=True)
class PaCost:
    """One PA's weekly figures (before any Employment Allowance, which is the employer's)."""

    number: int
    pa: PaInput
    wages: Figure
    holiday: Figure
    gross: Figure
    ni: Figure
    pension: Figure
    total: Figure
    hourly: Figure
    meets_minimum: bool | None

    def yearly(self, figure: Figure, weeks: int) -> Decimal:
        return figure.amount * weeks


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def pa_cost(number: int, pa: PaInput, rates: CostRates) -> PaCost:
    """One PA's weekly cost, line by line, each rounded from the rounded lines above it."""
    wages = round_money(pa.hours * pa.wage)
    holiday = round_money(wages * rates.holiday_rate / HUNDRED)
    gross = wages + holiday
    ni = employer_ni(gross, rates)
    pension = employer_pension(gross, rates)
    total = gross + ni.amount + pension.amount
    minimum = rates.scottish_minimum
    return PaCost(
        number=number,
        pa=pa,
        wages=Figure(
            wages, f"{_hours(pa.hours)} hours {TIMES} {pounds(pa.wage)} = {pounds(wages)}"
        ),
        holiday=Figure(
            holiday, f"{pounds(wages)} {TIMES} {percent(rates.holiday_rate)} = {pounds(holiday)}"
        ),
        gross=Figure(gross, f"{pounds(wages)} + {pounds(holiday)} = {pounds(gross)}"),
        ni=ni,
        pension=pension,
        total=Figure(
            total,
            f"{pounds(gross)} + {pounds(ni.amount)} + {pounds(pension.amount)} = {pounds(total)}",
        ),
        hourly=per_hour(total, pa.hours),
        meets_minimum=None if minimum is None else pa.wage >= minimum,
    )


def employer_ni(gross: Decimal, rates: CostRates) -> Figure:
    """Class 1 secondary contributions on one PA's weekly pay."""
    threshold = rates.ni_threshold
    if gross <= threshold:
        return Figure(
            ZERO,
            f"{pounds(gross)} is not above the secondary threshold of "
            f"{whole_or_pence(threshold)} a week, so 0.00",
        )
    ni = round_employer_ni((gross - threshold) * rates.ni_rate / HUNDRED)
    return Figure(
        ni,
        f"({pounds(gross)} {MINUS} {whole_or_pence(threshold)}) {TIMES} "
        f"{percent(rates.ni_rate)} = {pounds(ni)}",
    )


def employer_pension(gross: Decimal, rates: CostRates) -> Figure:
    """Auto-enrolment: owed only above the trigger, on qualifying earnings (the band)."""
    trigger, lower, upper = rates.pension_trigger, rates.pension_lower, rates.pension_upper
    if gross <= trigger:
        return Figure(
            ZERO,
            f"{pounds(gross)} is not above the earnings trigger of "
            f"{whole_or_pence(trigger)} a week, so 0.00",
        )
    banded = min(gross, upper)
    pension = round_money((banded - lower) * rates.pension_rate / HUNDRED)
    if gross > upper:
        working = (
            f"({whole_or_pence(upper)} {MINUS} {whole_or_pence(lower)}) {TIMES} "
            f"{percent(rates.pension_rate)} = {pounds(pension)} (pay above "
            f"{whole_or_pence(upper)} a week does not count)"
        )
    else:
        working = (
            f"({pounds(gross)} {MINUS} {whole_or_pence(lower)}) {TIMES} "
            f"{percent(rates.pension_rate)} = {pounds(pension)}"
        )
    return Figure(pension, working)


def per_hour(total: Decimal, hours: Decimal) -> Figure:
    hourly = round_money(total / hours)
    return Figure(hourly, f"{pounds(total)} ÷ {_hours(hours)} hours = {pounds(hourly)}")


@dataclass(frozen=True)
class Allowance:
    """How the Employment Allowance meets the year's employer NI across every PA."""

    claimed: bool
    amount: Decimal  # the year's allowance
    ni_yearly: Decimal  # before the allowance
    used: Decimal
    ni_yearly_after: Decimal
    runs_out_week: int | None  # the week it is used up in, if the year's NI is more
    runs_out_on: date | None  # the first day of that week
    left_that_week: Decimal  # what it still covers in that week

    @property
    def unused(self) -> Decimal:
        return self.amount - self.used


def employment_allowance(
    weekly_ni: Decimal, weeks: int, allowance: Decimal, year_start: date, claimed: bool
) -> Allowance:
    """The allowance takes each week's NI until it is used up (HMRC: claimed through the
    payroll, set against the employer NI of each pay day until none is left)."""
    yearly = weekly_ni * weeks
    if not claimed:
        return Allowance(False, allowance, yearly, ZERO, yearly, None, None, ZERO)
    used = min(yearly, allowance)
    after = max(ZERO, yearly - allowance)
    if after == ZERO:
        return Allowance(True, allowance, yearly, used, after, None, None, ZERO)
    full_weeks = int(allowance // weekly_ni)  # weeks it covers in full
    week = full_weeks + 1
    left = allowance - weekly_ni * full_weeks
    return Allowance(
        True, allowance, yearly, used, after, week, year_start + timedelta(weeks=full_weeks), left
    )


@dataclass(frozen=True)
class CostResult:
    inputs: CostInputs
    rates: CostRates
    pas: tuple[PaCost, ...]
    allowance: Allowance
    wages: Figure
    holiday: Figure
    gross: Figure
    ni_before: Figure  # weekly, before the allowance
    ni: Figure  # weekly, what the employer pays on average after the allowance (if claimed)
    ni_yearly: Figure
    pension: Figure
    insurance: Figure  # weekly share
    payroll: Figure  # weekly share
    total_weekly: Figure
    total_yearly: Figure
    hourly: Figure

    @property
    def weeks(self) -> int:
        return self.inputs.weeks

    def yearly(self, figure: Figure) -> Decimal:
        """A weekly pay line over the year (exact: pennies times whole weeks)."""
        return figure.amount * self.inputs.weeks

    @property
    def meets_minimum(self) -> bool | None:
        verdicts = [pa.meets_minimum for pa in self.pas]
        return None if None in verdicts else all(verdicts)


def _sum(figures: list[Figure]) -> Figure:
    total = sum((f.amount for f in figures), ZERO)
    if len(figures) == 1:
        return Figure(total, figures[0].working)
    return Figure(total, " + ".join(pounds(f.amount) for f in figures) + f" = {pounds(total)}")


def _share(yearly: Decimal, weeks: int, what: str) -> Figure:
    weekly = round_money(yearly / weeks)
    return Figure(weekly, f"{pounds(yearly)} {what} ÷ {weeks} weeks = {pounds(weekly)}")


def calculate(inputs: CostInputs, rates: CostRates) -> CostResult:
    """Every PA's weekly cost, then the employer's totals for the week and the year."""
    if not inputs.pas:
        raise ValueError("at least one PA is needed")
    pas = tuple(pa_cost(n, pa, rates) for n, pa in enumerate(inputs.pas, start=1))
    weeks = inputs.weeks
    ni_before = _sum([pa.ni for pa in pas])
    allowance = employment_allowance(
        ni_before.amount,
        weeks,
        rates.employment_allowance,
        rates.tax_year_start,
        inputs.employment_allowance,
    )
    ni, ni_yearly = _ni_after(ni_before, allowance, weeks)
    gross, pension = _sum([pa.gross for pa in pas]), _sum([pa.pension for pa in pas])
    insurance = _share(inputs.insurance_yearly, weeks, "insurance a year")
    payroll = _share(inputs.payroll_yearly, weeks, "payroll service a year")
    weekly_parts = [gross.amount, ni.amount, pension.amount, insurance.amount, payroll.amount]
    total_weekly = sum(weekly_parts, ZERO)
    yearly_parts = [
        gross.amount * weeks,
        ni_yearly.amount,
        pension.amount * weeks,
        inputs.insurance_yearly,
        inputs.payroll_yearly,
    ]
    total_yearly = sum(yearly_parts, ZERO)
    return CostResult(
        inputs=inputs,
        rates=rates,
        pas=pas,
        allowance=allowance,
        wages=_sum([pa.wages for pa in pas]),
        holiday=_sum([pa.holiday for pa in pas]),
        gross=gross,
        ni_before=ni_before,
        ni=ni,
        ni_yearly=ni_yearly,
        pension=pension,
        insurance=insurance,
        payroll=payroll,
        total_weekly=Figure(total_weekly, _added(weekly_parts, total_weekly)),
        total_yearly=Figure(total_yearly, _added(yearly_parts, total_yearly)),
        hourly=per_hour(total_weekly, inputs.hours),
    )


def _added(parts: list[Decimal], total: Decimal) -> str:
    return " + ".join(pounds(p) for p in parts if p) + f" = {pounds(total)}" if total else "0.00"


def _ni_after(ni_before: Figure, allowance: Allowance, weeks: int) -> tuple[Figure, Figure]:
    """(weekly, yearly) employer NI the employer pays after the allowance, if claimed. The
    weekly figure is the year's NI shared over the weeks (an average: in practice nothing is
    paid until the allowance runs out, then the full weekly amount)."""
    yearly_before = (
        f"{pounds(ni_before.amount)} {TIMES} {weeks} weeks = {pounds(allowance.ni_yearly)}"
    )
    if not allowance.claimed:
        return ni_before, Figure(allowance.ni_yearly, yearly_before)
    yearly = Figure(
        allowance.ni_yearly_after,
        f"{yearly_before}, less the Employment Allowance of {pounds(allowance.amount)} "
        f"(never below 0) = {pounds(allowance.ni_yearly_after)}",
    )
    weekly = round_employer_ni(allowance.ni_yearly_after / weeks)
    return Figure(
        weekly, f"{pounds(allowance.ni_yearly_after)} ÷ {weeks} weeks = {pounds(weekly)}"
    ), yearly
