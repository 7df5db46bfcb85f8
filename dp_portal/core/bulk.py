"""Inserting many rows at once: PostgreSQL's COPY where available, executemany elsewhere.

Used where a whole council's rows are written in one go (payment run lines, demo data). The
rows join the session's transaction either way, so they commit or roll back with it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Table, insert
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _sqlite_executemany(connection, table, rows)
        return
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    raw = connection.connection.driver_connection
    names = ", ".join(f'"{name}"' for name in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


def _sqlite_value(value: Any) -> Any:
    # The same text SQLAlchemy's SQLite types store: ISO dates, UTC datetimes without offset.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _needs_conversion(column_type) -> bool:
    # Unwrap type decorators (UTCDateTime is a DateTime underneath).
    column_type = getattr(column_type, "impl", column_type)
    return isinstance(column_type, Date | DateTime | Boolean)


def _sqlite_executemany(connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """pysqlite's executemany directly: SQLAlchemy's per-row parameter processing was a
    third of the time of writing a run's lines. Only date, time and boolean columns need
    converting, so only they are."""
    columns = list(rows[0])
    convert = [_needs_conversion(table.c[name].type) for name in columns]
    sql = (
        f'INSERT INTO "{table.name}" ({", ".join(columns)}) '  # noqa: S608 - names from the model
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    if any(convert):
        params = [
            tuple(
                _sqlite_value(row[name]) if change else row[name]
                for name, change in zip(columns, convert, strict=True)
            )
            for row in rows
        ]
    else:
        params = [tuple(row[name] for name in columns) for row in rows]
    connection.exec_driver_sql(sql, params)
