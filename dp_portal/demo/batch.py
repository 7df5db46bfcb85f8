"""Rows for a whole council, written in chunks with bulk inserts (not the ORM's unit of work:
it sent a statement per row to PostgreSQL). Ids are assigned here, so related rows can be
written in the same pass."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text

from ..accounts.models import Account, Person, Representative
from ..core.bulk import insert_rows
from ..extensions import db
from ..payments.models import Budget, BudgetLine
from ..third_party.models import Mandate

CHUNK = 5000  # accounts per round of inserts
# In the order they are inserted: each refers only to rows of the tables before it.
MODELS = (Person, Representative, Account, Mandate, Budget, BudgetLine)


class Batch:
    def __init__(self) -> None:
        self.rows: dict[type, list[dict[str, Any]]] = {model: [] for model in MODELS}
        self.next_ids = {
            model: (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1
            for model in MODELS
        }

    def reserve(self, model: type) -> int:
        """The id of the next `model` row."""
        row_id = self.next_ids[model]
        self.next_ids[model] += 1
        return row_id

    def add(self, model: type, row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    @property
    def full(self) -> bool:
        return len(self.rows[Account]) >= CHUNK

    def flush(self) -> int:
        """Insert what is waiting; returns how many accounts that was."""
        accounts = len(self.rows[Account])
        for model in MODELS:
            insert_rows(db.session, model.__table__, self.rows[model])
            self.rows[model].clear()
        return accounts


def fix_sequences() -> None:
    """PostgreSQL's id sequences do not see ids written explicitly: move them past the rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in MODELS:
        table = model.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )
