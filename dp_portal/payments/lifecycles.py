"""The lifecycles of payments' rows: each a set of states, one table of the moves allowed
between them, and one function that makes a move.

A payment run (shared/design.md 2.2 and 2.7)::

    built ──approve──▶ approved ──commit──▶ committed
      │                   │
      └──cancel──▶ cancelled ◀──cancel──┘

A committed run is never undone (its payments are append-only: a correction is recorded
beside the payment); a cancelled run stays as history, and its period can be built again.

A recovery (money asked back)::

    open ──offsets reach the amount──▶ recovered
      └────────withdrawn────────▶ cancelled

A budget version (proposed by one officer, decided by another)::

    proposed ──approve──▶ approved
        └─────reject────▶ rejected

`move` changes the row with a conditional UPDATE (``WHERE status = <the state the caller
saw>``), so of two officers acting on the same row at once only one moves it; the other is
refused, as if they had pressed the button a moment later. Committing a run relies on this:
it is the gate that makes a run commit exactly once.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from ..core.errors import RuleError
from ..extensions import db


class RunStatus(StrEnum):
    BUILT = "built"
    APPROVED = "approved"
    COMMITTED = "committed"
    CANCELLED = "cancelled"


class RecoveryStatus(StrEnum):
    OPEN = "open"
    RECOVERED = "recovered"
    CANCELLED = "cancelled"


class BudgetStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


# state -> the states it may move to. Anything not listed is refused.
TRANSITIONS: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]] = {
    RunStatus: {
        RunStatus.BUILT: frozenset({RunStatus.APPROVED, RunStatus.CANCELLED}),
        RunStatus.APPROVED: frozenset({RunStatus.COMMITTED, RunStatus.CANCELLED}),
        RunStatus.COMMITTED: frozenset(),
        RunStatus.CANCELLED: frozenset(),
    },
    RecoveryStatus: {
        RecoveryStatus.OPEN: frozenset({RecoveryStatus.RECOVERED, RecoveryStatus.CANCELLED}),
        RecoveryStatus.RECOVERED: frozenset(),
        RecoveryStatus.CANCELLED: frozenset(),
    },
    BudgetStatus: {
        BudgetStatus.PROPOSED: frozenset({BudgetStatus.APPROVED, BudgetStatus.REJECTED}),
        BudgetStatus.APPROVED: frozenset(),
        BudgetStatus.REJECTED: frozenset(),
    },
}

# What the officer is told when a move to a state is refused. (Keyed by kind first: states of
# different kinds with the same name, like a run's and a budget's "approved", are equal strings.)
REFUSALS: dict[type[StrEnum], dict[StrEnum, str]] = {
    RunStatus: {
        RunStatus.BUILT: "A run is built only once: build a new run instead",
        RunStatus.APPROVED: "Only a run that has been built and not yet approved can be approved",
        RunStatus.COMMITTED: "This run has already been committed, or has not been approved",
        RunStatus.CANCELLED: (
            "A committed run cannot be cancelled: correct payments with adjustments"
        ),
    },
    RecoveryStatus: {
        RecoveryStatus.OPEN: "A recovery cannot be opened again: raise a new one",
        RecoveryStatus.RECOVERED: "This recovery is no longer open",
        RecoveryStatus.CANCELLED: "This recovery is no longer open",
    },
    BudgetStatus: {
        BudgetStatus.PROPOSED: "A decided budget cannot be proposed again: propose a new version",
        BudgetStatus.APPROVED: "This budget has already been decided",
        BudgetStatus.REJECTED: "This budget has already been decided",
    },
}


def next_states(current: StrEnum) -> frozenset[StrEnum]:
    """Where a row in state `current` may go next (for pages: which buttons to offer)."""
    return TRANSITIONS[type(current)][current]


def allowed(current: str, to: StrEnum) -> bool:
    table = TRANSITIONS[type(to)]
    return to in table[type(to)(current)]


def check(current: str, to: StrEnum) -> None:
    """Refuse (RuleError) a move the table does not allow."""
    if not allowed(current, to):
        raise RuleError(REFUSALS[type(to)][to])


def move(row, to: StrEnum, **values) -> StrEnum:
    """Move `row` (a model with `id` and `status`) to `to`, setting `values` with it, and
    return the state it left. Refused (RuleError) when the table does not allow the move from
    the state the caller saw, or when the row is no longer in that state in the database."""
    seen = type(to)(row.status)
    check(seen, to)
    model = type(row)
    moved = db.session.execute(
        update(model)
        .where(model.id == row.id, model.status == seen)
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise RuleError(REFUSALS[type(to)][to])
    for key, value in {"status": to, **values}.items():
        set_committed_value(row, key, value)
    return seen
