"""The reminder report: what the internal audit asked to see. Overdue returns by age, reminders
issued per stage and day, and how long after the due date the first reminder really went out
(its issue time, not the date printed on it, so a late scheduler shows up).

The page reads what monitoring keeps as it goes (the returns still owed, and the reminders
tallied by stage and day), so it costs the same at any council size; only the spreadsheet
lists every first reminder."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..accounts.models import Account
from ..core.types import local_date
from ..extensions import db
from ..monitoring import expected
from ..monitoring.models import ReminderIssue, ReminderTally
from ..monitoring.reminders import DEFAULT_STAGES

# (label, fewest days overdue, most days overdue or None for no limit)
AGE_BANDS = (
    ("1 to 30 days", 1, 30),
    ("31 to 60 days", 31, 60),
    ("61 to 90 days", 61, 90),
    ("91 to 180 days", 91, 180),
    ("More than 180 days", 181, None),
)
STAGE_NAMES = {stage.key: stage.name for stage in DEFAULT_STAGES}


def overdue_by_age(as_of: date) -> list[tuple[str, int]]:
    """Returns owed and past their due date on `as_of`, by how late they are."""
    connection = db.session.connection()
    if expected.answers_for(connection, as_of):
        by_due = expected.overdue_by_due_date(connection, as_of)
    else:  # not rebuilt since the upgrade that added the table, or the job has stopped
        by_due = Counter(period.due for _, period in expected.outstanding_periods(as_of))
    counts: Counter[str] = Counter()
    for due, returns in by_due.items():
        days = (as_of - due).days
        for label, low, high in AGE_BANDS:
            if days >= low and (high is None or days <= high):
                counts[label] += returns
                break
    return [(label, counts[label]) for label, _, _ in AGE_BANDS]


@dataclass(frozen=True)
class DayCount:
    day: date
    by_stage: dict[str, int]
    issued_late: int  # issued after the date printed on the letter (the job was behind)

    @property
    def total(self) -> int:
        return sum(self.by_stage.values())


def reminders_per_day(date_from: date, date_to: date) -> list[DayCount]:
    rows = db.session.execute(
        select(
            ReminderTally.stage_date,
            ReminderTally.stage,
            ReminderTally.issued_on,
            ReminderTally.reminders,
        ).where(ReminderTally.stage_date >= date_from, ReminderTally.stage_date <= date_to)
    ).all()
    stages: dict[date, Counter[str]] = {}
    late: Counter[date] = Counter()
    for day, stage, issued_on, reminders in rows:
        stages.setdefault(day, Counter())[stage] += reminders
        if issued_on > day:
            late[day] += reminders
    return [
        DayCount(day, {key: stages[day][key] for key in STAGE_NAMES}, late[day])
        for day in sorted(stages)
    ]


@dataclass(frozen=True)
class FirstReminderSummary:
    """Days from due date to the first reminder's issue, as counts of each number of days."""

    days: Counter[int]
    late: int  # issued after the date on the timetable

    @property
    def count(self) -> int:
        return sum(self.days.values())

    @property
    def median_days(self) -> float | None:
        """The median, as statistics.median gives it for the same list of days."""
        if not self.count:
            return None
        ordered = sorted(self.days.items())

        def nth(position: int) -> int:
            for value, times in ordered:
                if position < times:
                    return value
                position -= times
            raise IndexError(position)

        middle = self.count // 2
        if self.count % 2:
            return nth(middle)
        return statistics.median([nth(middle - 1), nth(middle)])

    @property
    def longest_days(self) -> int | None:
        return max(self.days, default=None)


def first_reminders(date_from: date, date_to: date) -> FirstReminderSummary:
    """First reminders for returns due between the dates: days from due date to issue."""
    rows = db.session.execute(
        select(
            ReminderTally.due_date,
            ReminderTally.stage_date,
            ReminderTally.issued_on,
            ReminderTally.reminders,
        ).where(
            ReminderTally.stage == "first",
            ReminderTally.due_date >= date_from,
            ReminderTally.due_date <= date_to,
        )
    ).all()
    days: Counter[int] = Counter()
    late = 0
    for due, dated, issued_on, reminders in rows:
        days[(issued_on - due).days] += reminders
        late += reminders if issued_on > dated else 0
    return FirstReminderSummary(days, late)


@dataclass(frozen=True)
class FirstReminder:
    reference: str
    period_start: date
    due: date
    dated: date
    issued: date

    @property
    def days(self) -> int:
        return (self.issued - self.due).days

    @property
    def late(self) -> bool:
        return self.issued > self.dated


def first_reminder_list(date_from: date, date_to: date) -> list[FirstReminder]:
    """Each first reminder for returns due between the dates (for the spreadsheet)."""
    rows = db.session.execute(
        select(
            Account.reference,
            ReminderIssue.period_start,
            ReminderIssue.due_date,
            ReminderIssue.stage_date,
            ReminderIssue.issued_at,
        )
        .join(Account, Account.id == ReminderIssue.account_id)
        .where(
            ReminderIssue.stage == "first",
            ReminderIssue.due_date >= date_from,
            ReminderIssue.due_date <= date_to,
        )
        .order_by(ReminderIssue.due_date, Account.reference)
    ).all()
    return [
        FirstReminder(reference, start, due, dated, local_date(issued_at))
        for reference, start, due, dated, issued_at in rows
    ]


def workbook_sheets(as_of: date, date_from: date, date_to: date) -> dict:
    """The report as spreadsheet sheets: {name: (header, rows)}."""
    per_day = reminders_per_day(date_from, date_to)
    first = first_reminder_list(date_from, date_to)
    return {
        "Overdue by age": (
            ["Days overdue", f"Returns overdue on {as_of.isoformat()}"],
            overdue_by_age(as_of),
        ),
        "Reminders per day": (
            ["Date on letter", *STAGE_NAMES.values(), "Total", "Issued after that date"],
            [[d.day, *d.by_stage.values(), d.total, d.issued_late] for d in per_day],
        ),
        "Due to first reminder": (
            ["Account", "Return period from", "Due", "Letter dated", "Issued", "Days", "Late"],
            [
                [
                    r.reference,
                    r.period_start,
                    r.due,
                    r.dated,
                    r.issued,
                    r.days,
                    "Yes" if r.late else "No",
                ]
                for r in first
            ],
        ),
    }
