"""Column types and the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """An aware UTC instant: the only way the app reads the wall clock for *_at columns."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which drops the zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_LONDON = ZoneInfo("Europe/London")


def local_today() -> date:
    """Today's date in the UK (the council's calendar day), for date-bound rules."""
    return datetime.now(_LONDON).date()


def local_date(moment: datetime) -> date:
    """The UK calendar day of a stored (UTC) moment."""
    return moment.astimezone(_LONDON).date()


def local_day_start(day: date) -> datetime:
    """The first moment of a UK calendar day (to compare stored moments with days)."""
    return datetime.combine(day, time.min, _LONDON)


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry the words people read: `DONE = "done", "Done"`. The value
    is what the database stores; `label` is what a page or letter shows, kept beside it so
    that a new state cannot be added without its words."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
