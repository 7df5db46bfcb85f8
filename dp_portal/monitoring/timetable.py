"""The published reminder timetable: versions in force from a date (shared/design.md 2.4).
The stages and their dates are worked out by reminders.py. Never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from ..auth.models import User
from ..core import audit
from ..core.calendar import Region
from ..core.calendar_models import working_calendar
from ..core.errors import RuleError
from ..extensions import db
from .models import ReminderPolicy
from .reminders import DEFAULT_STAGES, Stage, stage_dates


@dataclass(frozen=True)
class Timetable:
    version: int | None  # None: the default timetable, before a council publishes its own
    effective_from: date | None
    working_days: bool
    stages: tuple[Stage, ...]
    # When the council agreed it, who published it and why: a published policy says so.
    agreed_at: datetime | None = None
    agreed_by: str | None = None
    note: str | None = None


def _timetable(row: ReminderPolicy | None) -> Timetable:
    if row is None:
        return Timetable(None, None, False, DEFAULT_STAGES)
    stages = tuple(Stage(**stage) for stage in json.loads(row.stages_json))
    agreed_by = db.session.get(User, row.created_by_id)
    return Timetable(
        row.version,
        row.effective_from,
        bool(row.working_days),
        stages,
        row.created_at,
        agreed_by.full_name if agreed_by else None,
        row.note,
    )


def timetable_on(day: date) -> Timetable:
    """The timetable in force on `day` (the newest version of the latest start)."""
    return _timetable(
        db.session.execute(
            select(ReminderPolicy)
            .where(ReminderPolicy.effective_from <= day)
            .order_by(ReminderPolicy.effective_from.desc(), ReminderPolicy.version.desc())
            .limit(1)
        ).scalar_one_or_none()
    )


def timetable_after(day: date) -> Timetable | None:
    """A timetable already agreed that comes into force after `day`, if there is one: people
    are told of a change before it applies."""
    row = db.session.execute(
        select(ReminderPolicy)
        .where(ReminderPolicy.effective_from > day)
        .order_by(ReminderPolicy.effective_from, ReminderPolicy.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    return _timetable(row) if row is not None else None


def publish_timetable(
    *, effective_from: date, offsets: dict[str, int], working_days: bool, note: str, actor: User
) -> ReminderPolicy:
    """A new version of the timetable: the default stages with the council's offsets."""
    days = [offsets[stage.key] for stage in DEFAULT_STAGES]
    if any(d < 1 for d in days) or days != sorted(days) or len(set(days)) != len(days):
        raise RuleError(
            "Each stage must come after the one before it, at least 1 day after the due date"
        )
    version = (db.session.execute(select(func.max(ReminderPolicy.version))).scalar() or 0) + 1
    stages = [
        {
            "key": s.key,
            "name": s.name,
            "offset_days": offsets[s.key],
            "letter": s.letter,
            "escalates": s.escalates,
        }
        for s in DEFAULT_STAGES
    ]
    row = ReminderPolicy(
        version=version,
        effective_from=effective_from,
        working_days=int(working_days),
        stages_json=json.dumps(stages),
        note=note,
        created_by_id=actor.id,
    )
    db.session.add(row)
    audit.record(
        actor,
        "reminder_policy.published",
        row,
        summary=f"Reminder timetable version {version} from {effective_from:%d %B %Y}",
        after={"offsets": offsets, "working_days": working_days, "note": note},
    )
    return row


def reminder_dates(due: date) -> list[tuple[Stage, date]]:
    """A person's own reminder dates for a return due on `due`, under the timetable then."""
    table = timetable_on(due)
    return stage_dates(
        due,
        table.stages,
        working_days=table.working_days,
        calendar=working_calendar(Region.SCOTLAND),
    )
