"""Inserting many rows at once: PostgreSQL's COPY where available, executemany elsewhere.

Used where a whole council's rows are written in one go (payment run lines, demo data, a
pooled account's statement). The rows join the session's transaction either way, so they
commit or roll back with it.

- insert_rows takes dicts, insert_tuples plain tuples: building 100,000 dicts only to take
  them apart again was a tenth of a whole-council run.
- cycle_collector_paused: such a step allocates about a million small objects that all live
  until it ends, none of them in a reference cycle. Python's cycle collector still walks them
  again and again as they pile up, which was a quarter of a 100,000-account run's CPU time
  (and of a 100,000-line statement's import).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, String, Table, insert, type_coerce
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows given as dicts, each with the same keys (the first row's)."""
    if not rows:
        return
    columns = list(rows[0])
    if len(columns) == 1:
        insert_tuples(session, table, columns, [(row[columns[0]],) for row in rows])
        return
    pick = itemgetter(*columns)  # each row's values as a tuple, in C
    insert_tuples(session, table, columns, [pick(row) for row in rows])


def insert_tuples(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple]
) -> None:
    """Insert rows given as tuples in `columns` order, with the values insert_rows takes
    (dates, aware datetimes and booleans are written as SQLAlchemy's types write them)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _sqlite_executemany(connection, table, columns, rows)
        return
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    raw = connection.connection.driver_connection
    names = ", ".join(f'"{name}"' for name in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def _sqlite_value(value: Any) -> Any:
    # The same text SQLAlchemy's SQLite types store: ISO dates, UTC datetimes without offset.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class _Written(dict):
    """Each distinct value's stored form, worked out the first time it is asked for."""

    def __missing__(self, value: Any) -> Any:
        self[value] = written = _sqlite_value(value)
        return written


def _needs_conversion(column_type) -> bool:
    # Unwrap type decorators (UTCDateTime is a DateTime underneath).
    column_type = getattr(column_type, "impl", column_type)
    return isinstance(column_type, Date | DateTime | Boolean)


def _sqlite_executemany(connection, table: Table, columns: Sequence[str], rows) -> None:
    """pysqlite's executemany directly: SQLAlchemy's per-row parameter processing was a
    third of the time of writing a run's lines. Only date, time and boolean columns need
    converting, so only they are, column by column, each distinct value once (a month's
    100,000 statement lines fall on some 30 days)."""
    convert = [i for i, name in enumerate(columns) if _needs_conversion(table.c[name].type)]
    sql = (
        f'INSERT INTO "{table.name}" ({", ".join(columns)}) '  # noqa: S608 - names from the model
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    if convert:
        by_column = list(zip(*rows, strict=True))
        for i in convert:
            by_column[i] = map(_Written().__getitem__, by_column[i])
        rows = list(zip(*by_column, strict=True))
    connection.exec_driver_sql(sql, rows)


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Run the block with Python's cycle collector off (reference counting still frees what
    is no longer used), and switch it back on after, as it was."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def date_as_stored(column):
    """A date column read as the database holds it (ISO text on SQLite, a date from
    PostgreSQL's driver), without SQLAlchemy converting each row: for reads of a whole
    council's rows, turned into dates by `DaysRead`, once per distinct day."""
    return type_coerce(column, String)


class DaysRead(dict):
    """Stored day -> date, each distinct day worked out once: a council's 100,000 accounts
    start on a few thousand days, and converting every row's took 30 ms of reading them.
    None stays None; a date (PostgreSQL's driver makes them) is itself."""

    def __missing__(self, stored: Any) -> date | None:
        day = stored if stored is None or isinstance(stored, date) else date.fromisoformat(stored)
        self[stored] = day
        return day
