"""Bulk inserts (core/bulk.py) store exactly what SQLAlchemy's own INSERT stores: the same
dates, UTC times and yes/no values, read back as the same values and, on SQLite, as the
same text; rows given as dicts or as tuples alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    text,
)

from dp_portal.core.bulk import DaysRead, date_as_stored, insert_rows, insert_tuples
from dp_portal.core.types import UTCDateTime

METADATA = MetaData()
SAMPLE = Table(
    "bulk_sample",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("day", Date),
    Column("at", UTCDateTime),
    Column("done", Boolean),
    Column("note", String(20)),
)
EDINBURGH_SUMMER = timezone(timedelta(hours=1))


def _rows(first_id: int) -> list[dict]:
    """Repeated and distinct days, one instant given in two zones, yes, no and nothing."""
    days = [date(2026, 10, 31), date(2026, 11, 1), date(2026, 10, 31), None]
    moments = [
        datetime(2026, 10, 1, 9, 30, tzinfo=UTC),
        datetime(2026, 10, 1, 10, 30, 0, 123456, tzinfo=EDINBURGH_SUMMER),
        datetime(2026, 10, 1, 9, 30, tzinfo=UTC),
        None,
    ]
    return [
        {
            "id": first_id + i,
            "day": days[i],
            "at": moments[i],
            "done": [True, False, None, True][i],
            "note": f"row {i}",
        }
        for i in range(4)
    ]


def _stored(session, ids: range) -> tuple[list, list]:
    where = SAMPLE.c.id.in_(list(ids))
    values = session.execute(select(SAMPLE).where(where).order_by(SAMPLE.c.id)).all()
    raw = []
    if session.get_bind().dialect.name == "sqlite":  # the text SQLite holds
        raw = session.execute(
            text("SELECT day, at, done, note FROM bulk_sample WHERE id BETWEEN :a AND :b"),
            {"a": ids[0], "b": ids[-1]},
        ).all()
    return [row[1:] for row in values], [tuple(row) for row in raw]


def test_bulk_rows_are_stored_as_sqlalchemy_stores_them(db_session):
    METADATA.create_all(db_session.connection())
    db_session.execute(insert(SAMPLE), _rows(1))
    insert_rows(db_session, SAMPLE, _rows(11))
    as_tuples = [tuple(row.values()) for row in _rows(21)]
    insert_tuples(db_session, SAMPLE, list(_rows(21)[0]), as_tuples)
    reference = _stored(db_session, range(1, 5))
    assert _stored(db_session, range(11, 15)) == reference
    assert _stored(db_session, range(21, 25)) == reference
    values, _ = reference
    assert values[1][:2] == (date(2026, 11, 1), datetime(2026, 10, 1, 9, 30, 0, 123456, UTC))


def test_a_single_column_of_rows_is_inserted(db_session):
    METADATA.create_all(db_session.connection())
    insert_rows(db_session, SAMPLE, [{"id": 31}, {"id": 32}])
    assert db_session.execute(select(SAMPLE.c.id).where(SAMPLE.c.id > 30)).scalars().all() == [
        31,
        32,
    ]


def test_dates_read_as_stored_are_the_dates_sqlalchemy_reads(db_session):
    """A whole council's dates are read as the database holds them and made dates once a
    day (DaysRead): each must be the date SQLAlchemy's own conversion gives, on either
    database, and a missing date stays missing."""
    METADATA.create_all(db_session.connection())
    insert_rows(db_session, SAMPLE, _rows(41))
    where = SAMPLE.c.id.between(41, 44)
    order = SAMPLE.c.id
    converted = db_session.execute(select(SAMPLE.c.day).where(where).order_by(order)).all()
    stored = db_session.execute(
        select(date_as_stored(SAMPLE.c.day)).where(where).order_by(order)
    ).all()
    days = DaysRead()
    assert [days[value] for (value,) in stored] == [day for (day,) in converted]
    assert [days[value] for (value,) in stored] == [
        date(2026, 10, 31),
        date(2026, 11, 1),
        date(2026, 10, 31),
        None,
    ]
