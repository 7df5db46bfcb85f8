"""Helpers for the steps that touch every account of a council at once (building, committing
and paying a run). Generic, so they belong in core/bulk.py: they are here until core's owner
takes them (core is not changed from payments).

- insert_tuples: core.bulk.insert_rows takes dicts; building 100,000 dicts only to take them
  apart again was a tenth of a whole-council run, so a run writes plain tuples.
- cycle_collector_paused: such a step allocates about a million small objects that all live
  until it ends, none of them in a reference cycle. Python's cycle collector still walks them
  again and again as they pile up, which was a quarter of a 100,000-account run's CPU time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_tuples(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple]
) -> None:
    """Insert rows given as tuples in `columns` order, in the session's transaction: COPY on
    PostgreSQL, the driver's own executemany on SQLite. Values go to the driver as they are,
    so only for tables whose columns need no conversion (no dates, times or booleans)."""
    if not rows:
        return
    connection = session.connection()
    names = ", ".join(f'"{name}"' for name in columns)
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        sql = f'COPY "{table.name}" ({names}) FROM STDIN'
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    elif connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608 - model names
        connection.exec_driver_sql(sql, rows)
    else:
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


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
