"""The council's own calendar overrides, on top of the published bank holidays."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .calendar import Region, WorkingCalendar
from .types import UTCDateTime, utcnow


class CalendarOverride(db.Model):
    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    region: Mapped[str] = mapped_column(String(16), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # closed | open
    reason: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(Integer)  # foreign key: auth/models.py

    __table_args__ = (
        UniqueConstraint("day", "region", name="uq_calendar_overrides_day_region"),
        CheckConstraint("region IN ('scotland', 'bacs')", name="region"),
        CheckConstraint("kind IN ('closed', 'open')", name="kind"),
    )


def working_calendar(region: Region) -> WorkingCalendar:
    """The working calendar for `region` with the council's overrides applied."""
    rows = db.session.execute(
        select(CalendarOverride.day, CalendarOverride.kind).where(
            CalendarOverride.region == str(region)
        )
    ).all()
    return WorkingCalendar(
        Region(region),
        closed=frozenset(day for day, kind in rows if kind == "closed"),
        opened=frozenset(day for day, kind in rows if kind == "open"),
    )
