"""Side effects tied to the transaction: some (emails) must happen only once it has
committed; others (undoing a file written to disk) only if it does not commit."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_KEY = "dp_after_commit"
_UNDO = "dp_on_rollback"


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` after `session` commits; drop it if the session rolls back."""
    session.info.setdefault(_KEY, []).append(action)


def on_rollback(session: Session, action: Callable[[], None]) -> None:
    """Run `action` if the session's transaction ends without committing (a rollback, an
    error, or the session closed with work pending); drop it once the session commits. For
    undoing what the database cannot: a file written beside the row that records it."""
    session.info.setdefault(_UNDO, []).append(action)


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    session.info.pop(_UNDO, None)  # committed: the files stay
    actions = session.info.pop(_KEY, [])
    for action in actions:
        action()


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _undo(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction has ended; after a commit the list is already gone.
    if transaction.parent is None and not transaction.nested:
        for action in session.info.pop(_UNDO, []):
            action()
