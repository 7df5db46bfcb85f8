"""The reminder timetable: a versioned, published policy (shared/design.md 2.4).

Offsets count from the due date as published (already moved to a working day); a stage that
lands on a non-working day moves to the next Scottish working day. A policy may count working
days instead of calendar days. Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..core.calendar import WorkingCalendar


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    offset_days: int
    letter: str
    escalates: bool = False


# The default timetable: no council publishes one, so this is ours until a council adopts its own.
DEFAULT_STAGES = (
    Stage("first", "First reminder", 7, "A friendly reminder, with an offer of help"),
    Stage("second", "Second reminder", 21, "A reminder naming organisations that can help"),
    Stage(
        "final",
        "Final reminder",
        35,
        "Explains that payments may be suspended or the account moved to a managed account",
    ),
    Stage(
        "escalation", "Review", 49, "A finance officer and social worker review the account", True
    ),
)


def stage_dates(
    due: date, stages: tuple[Stage, ...], *, working_days: bool, calendar: WorkingCalendar
) -> list[tuple[Stage, date]]:
    result = []
    for stage in stages:
        if working_days:
            day = calendar.add_working_days(due, stage.offset_days)
        else:
            day = calendar.next_working_day(due + timedelta(days=stage.offset_days))
        result.append((stage, day))
    return result
