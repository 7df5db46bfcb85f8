"""Side effects (emails, files) that must happen only once the transaction has committed."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "dp_after_commit"


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` after `session` commits; drop it if the session rolls back."""
    session.info.setdefault(_KEY, []).append(action)


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    actions = session.info.pop(_KEY, [])
    for action in actions:
        action()


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
