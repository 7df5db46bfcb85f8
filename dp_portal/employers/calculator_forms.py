"""Reading the PA cost calculator's query string.

The calculator is a GET form, so a result can be bookmarked and shared:
`/employers/calculator?hours_per_week=20&hourly_wage=12.60&on=2025-06-01&employment_allowance=no`.
Several PAs repeat `hours_per_week` and `hourly_wage` (in the same order); `weeks_per_year`,
`insurance_per_year` and `payroll_per_year` are optional. "Add another PA" is a submit button
(`add`) that shows the form again with one more row, so no JavaScript is needed.

Every problem is named in plain English, with the id of the input it belongs to, for the
GOV.UK error summary (and the same messages go back in JSON).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from werkzeug.datastructures import MultiDict

from .pa_costs import DEFAULT_WEEKS, CostInputs, PaInput

MAX_PAS = 10
MAX_HOURS = Decimal(168)  # a week has 168 hours
MAX_WAGE = Decimal(500)
MAX_YEARLY_EXTRA = Decimal(100_000)
FIELDS = (
    "hours_per_week",
    "hourly_wage",
    "on",
    "employment_allowance",
    "weeks_per_year",
    "insurance_per_year",
    "payroll_per_year",
)
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_MONEY = re.compile(r"^£?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%d %B %Y", "%d %b %Y")


@dataclass(frozen=True)
class Problem:
    field: str  # the query parameter
    element_id: str  # the input on the page
    message: str


@dataclass(frozen=True)
class PaRow:
    hours: str = ""
    wage: str = ""

    @property
    def blank(self) -> bool:
        return not self.hours.strip() and not self.wage.strip()


def _decimal_places(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def parse_hours(text: str) -> Decimal | str:
    """Hours a week, or the message saying what is wrong."""
    text = text.strip()
    if not text:
        return "Enter the hours a week"
    if text.startswith("-"):
        return "Enter hours a week of more than 0"
    if not _NUMBER.match(text):
        return "Enter the hours a week as a number, like 20 or 12.5"
    if _decimal_places(text) > 2:
        return "Enter the hours a week to no more than 2 decimal places, like 12.25"
    value = Decimal(text)
    if value <= 0:
        return "Enter hours a week of more than 0"
    if value > MAX_HOURS:
        return "Enter 168 hours a week or fewer: a week only has 168 hours"
    return value


def parse_pounds(text: str, what: str, example: str, *, most: Decimal) -> Decimal | str:
    """An amount in pounds and pence (never a float), or the message saying what is wrong."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.startswith("-") or cleaned.startswith("£-"):
        return f"Enter {what} of £0 or more"
    if not _MONEY.match(cleaned):
        return f"Enter {what} in pounds and pence, like {example}"
    if _decimal_places(cleaned) > 2:
        return f"Enter {what} with no more than 2 decimal places, like {example}"
    try:
        value = Decimal(cleaned.lstrip("£").replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only digits
        return f"Enter {what} in pounds and pence, like {example}"
    if value > most:
        return f"Enter {what} of £{most:,.0f} or less"
    return value


def parse_day(text: str) -> date | str:
    text = " ".join(text.split())
    if not text:
        return "Enter the date the costs are for, like 2025-06-01"
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return "Enter a real date the costs are for, like 2025-06-01"


@dataclass
class CalculatorQuery:
    """The calculator's inputs as typed, and what is wrong with them."""

    rows: list[PaRow]
    on: str
    allowance: str
    weeks: str
    insurance: str
    payroll: str
    submitted: bool
    adding: bool
    problems: list[Problem] = field(default_factory=list)
    parsed: CostInputs | None = None
    day: date | None = None  # the date, when it could be read (even if other fields could not)

    @classmethod
    def from_args(cls, args: MultiDict, today: date) -> CalculatorQuery:
        hours, wages = args.getlist("hours_per_week"), args.getlist("hourly_wage")
        count = max(len(hours), len(wages), 1)
        rows = [PaRow(_at(hours, i), _at(wages, i)) for i in range(min(count, MAX_PAS + 1))]
        remove = args.get("remove", "")
        if remove.isdigit() and len(rows) > 1 and 1 <= int(remove) <= len(rows):
            del rows[int(remove) - 1]
        adding = "add" in args or remove != ""
        if "add" in args and len(rows) < MAX_PAS:
            rows.append(PaRow())
        query = cls(
            rows=rows,
            on=args.get("on", today.isoformat()),
            allowance=args.get("employment_allowance", ""),
            weeks=args.get("weeks_per_year", str(DEFAULT_WEEKS)),
            insurance=args.get("insurance_per_year", ""),
            payroll=args.get("payroll_per_year", ""),
            submitted=any(name in args for name in FIELDS),
            adding=adding,
        )
        if query.submitted and not adding:
            query.parsed = query._parse(len(hours) > MAX_PAS or len(wages) > MAX_PAS)
        return query

    def add_problem(self, name: str, element_id: str, message: str) -> None:
        self.problems.append(Problem(name, element_id, message))
        self.parsed = None

    def _parse(self, too_many: bool) -> CostInputs | None:
        if too_many:
            self.add_problem("hours_per_week", "hours_per_week-1", f"Enter up to {MAX_PAS} PAs")
        rows = [row for row in self.rows if not row.blank] or self.rows[:1]
        several = len(rows) > 1
        pas = []
        for number, row in enumerate(rows, start=1):
            pa = self._parse_row(number, row, several)
            if pa is not None:
                pas.append(pa)
        day = parse_day(self.on)
        if isinstance(day, str):
            self.add_problem("on", "on", day)
        else:
            self.day = day
        if self.allowance not in ("yes", "no"):
            self.add_problem(
                "employment_allowance",
                "employment_allowance",
                "Choose whether you claim the Employment Allowance",
            )
        weeks = self._parse_weeks()
        extras = [
            self._parse_extra(name, text, what)
            for name, text, what in (
                ("insurance_per_year", self.insurance, "the insurance cost a year"),
                ("payroll_per_year", self.payroll, "the payroll service cost a year"),
            )
        ]
        if self.problems:
            return None
        return CostInputs(
            pas=tuple(pas),
            on=day,  # type: ignore[arg-type]
            employment_allowance=self.allowance == "yes",
            weeks=weeks,  # type: ignore[arg-type]
            insurance_yearly=extras[0],  # type: ignore[arg-type]
            payroll_yearly=extras[1],  # type: ignore[arg-type]
        )

    def _parse_row(self, number: int, row: PaRow, several: bool) -> PaInput | None:
        prefix = f"PA {number}: " if several else ""
        hours = parse_hours(row.hours)
        wage = parse_pounds(row.wage, "the hourly wage", "12.60", most=MAX_WAGE)
        if wage == Decimal(0):
            wage = "Enter an hourly wage of more than £0"
        if not row.wage.strip():
            wage = "Enter the hourly wage, like 12.60"
        if isinstance(hours, str):
            self.add_problem("hours_per_week", f"hours_per_week-{number}", prefix + hours)
        if isinstance(wage, str):
            self.add_problem("hourly_wage", f"hourly_wage-{number}", prefix + wage)
        if isinstance(hours, str) or isinstance(wage, str):
            return None
        return PaInput(hours=hours, wage=wage)

    def _parse_weeks(self) -> int | None:
        text = self.weeks.strip() or str(DEFAULT_WEEKS)
        if not text.isdigit() or not 1 <= int(text) <= 53:
            self.add_problem(
                "weeks_per_year",
                "weeks_per_year",
                "Enter the weeks a year as a whole number from 1 to 53, like 52",
            )
            return None
        return int(text)

    def _parse_extra(self, name: str, text: str, what: str) -> Decimal | None:
        if not text.strip():
            return Decimal("0.00")
        value = parse_pounds(text, what, "150.00", most=MAX_YEARLY_EXTRA)
        if isinstance(value, str):
            self.add_problem(name, name, value)
            return None
        return value

    def error_list(self) -> list[dict[str, str]]:
        return [{"text": p.message, "href": f"#{p.element_id}"} for p in self.problems]

    def error_for(self, element_id: str) -> str | None:
        return next((p.message for p in self.problems if p.element_id == element_id), None)


def _at(values: list[str], index: int) -> str:
    return values[index] if index < len(values) else ""
