"""The lifecycle of an import: one set of states, one table of the moves allowed between
them, and one function that makes a move::

    uploaded ──columns mapped, dry run──▶ checked ──apply──▶ applying ──▶ applied
       │                                   │  ▲                  │
       │                                   │  └──check again──┐  └──▶ failed
       │                                   ▼                  └───────┘  │
       └──────────cancel──────────────▶ cancelled ◀──────cancel──────────┘

A checked import may be checked again (other columns, or the people it names changed since);
applying is refused while its dry run found problems. An import that failed to apply changed
nothing (one transaction) and may be checked again. Applied and cancelled are final.

`move` changes the row with a conditional UPDATE (``WHERE state = <the state the caller
saw>``), so of two officers pressing Apply at once only one starts it.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from ..core.errors import RuleError
from ..core.types import LabelledEnum
from ..extensions import db


class ImportState(LabelledEnum):
    UPLOADED = "uploaded", "Choose the columns"
    CHECKED = "checked", "Checked: not applied yet"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Not applied: it failed"
    CANCELLED = "cancelled", "Cancelled"


S = ImportState
TRANSITIONS: dict[ImportState, frozenset[ImportState]] = {
    S.UPLOADED: frozenset({S.CHECKED, S.CANCELLED}),
    S.CHECKED: frozenset({S.CHECKED, S.APPLYING, S.CANCELLED}),
    S.APPLYING: frozenset({S.APPLIED, S.FAILED}),
    S.FAILED: frozenset({S.CHECKED, S.CANCELLED}),
    S.APPLIED: frozenset(),
    S.CANCELLED: frozenset(),
}

REFUSALS: dict[ImportState, str] = {
    S.UPLOADED: "An import is uploaded only once: upload the file again to start a new one",
    S.CHECKED: "This import has been applied or cancelled, so it cannot be checked again",
    S.APPLYING: "This import is not waiting to be applied: it has been applied, cancelled, "
    "or someone else has just started it",
    S.APPLIED: "This import is not being applied",
    S.FAILED: "This import is not being applied",
    S.CANCELLED: "This import is being applied or has been applied, so it cannot be cancelled",
}


def allowed(current: str, to: ImportState) -> bool:
    return to in TRANSITIONS[ImportState(current)]


def move(row, to: ImportState, **values) -> ImportState:
    """Move `row` (an Import) to `to`, setting `values` with it, and return the state it
    left. Refused (RuleError) when the table does not allow the move from the state the caller
    saw, or when the row is no longer in that state in the database."""
    seen = ImportState(row.state)
    if not allowed(seen, to) or not _still(row, seen, {"state": to, **values}):
        raise RuleError(REFUSALS[to])
    for key, value in {"state": to, **values}.items():
        set_committed_value(row, key, value)
    return seen


def _still(row, seen: ImportState, values: dict) -> bool:
    """Whether one conditional UPDATE found the row still in the state the caller saw."""
    model = type(row)
    query = update(model).where(model.id == row.id, model.state == seen).values(**values)
    return db.session.execute(query.execution_options(synchronize_session=False)).rowcount == 1
