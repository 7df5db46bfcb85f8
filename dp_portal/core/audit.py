"""The append-only audit log: who changed what, when, and the values before and after.

Rows are only ever inserted. The ORM refuses updates and deletes, and database triggers
(created by migration 0001) refuse them too, so no code path can rewrite history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from flask import g
from sqlalchemy import Index, Integer, Select, String, Text, event, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from .text_search import starts_with_text
from .types import UTCDateTime, utcnow


class Actor(Protocol):
    id: int
    email: str


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # The user who acted (None: the system). A plain id here; the users table is the auth
    # package's, and auth/models.py declares the foreign key.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(254), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    object_type: Mapped[str] = mapped_column(String(64), nullable=False)
    object_id: Mapped[int | None] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_account_id", "account_id"),
        # A prefix of the action ("account.") is a LIKE on PostgreSQL: pattern_ops lets the
        # index answer it whatever the database's collation. The time, who and which account
        # after it answer "these kinds of change since then, by whom, to which accounts" (a
        # payment run's review) from the index alone, reading only the events since then.
        Index(
            "ix_audit_events_action",
            "action",
            "occurred_at",
            "actor_id",
            "account_id",
            postgresql_ops={"action": "varchar_pattern_ops"},
        ),
        # One person's changes, newest first, without reading everyone else's.
        Index("ix_audit_events_actor_id", "actor_id", "id"),
    )

    @property
    def before(self) -> dict[str, Any] | None:
        return json.loads(self.before_json) if self.before_json else None

    @property
    def after(self) -> dict[str, Any] | None:
        return json.loads(self.after_json) if self.after_json else None

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field that differs."""
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The named attributes of `obj` as JSON-ready values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    actor: Actor | None,
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    account_id: int | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    session: Session | None = None,
) -> AuditEvent:
    """Add an audit row to the current transaction (it commits with the change it records)."""
    session = session or db.session
    if obj is not None:
        if obj.id is None:
            session.add(obj)
            session.flush()
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    if object_type is None:
        raise ValueError("an audit row needs an object type")
    event_row = AuditEvent(
        **row_values(
            actor,
            action,
            object_type=object_type,
            object_id=object_id,
            account_id=account_id,
            summary=summary,
            before=before,
            after=after,
        )
    )
    session.add(event_row)
    return event_row


def row_values(
    actor: Actor | None,
    action: str,
    *,
    object_type: str,
    object_id: int | None = None,
    account_id: int | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An audit row's columns (but its time), as `record` adds it: for a statement that
    writes the row itself with the change it records (isf/invoice_writes.py)."""
    return {
        "actor_id": actor.id if actor is not None else None,
        "actor_label": actor.email if actor is not None else "system",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "account_id": account_id,
        "summary": summary[:300],
        "before_json": json.dumps(before, sort_keys=True) if before is not None else None,
        "after_json": json.dumps(after, sort_keys=True) if after is not None else None,
    }


_OUTCOME_ROWS = "dp_audit_outcome_rows"


def record_outcome(actor: Actor | None, action: str, **details: Any) -> None:
    """An audit row that stands whatever the request's outcome (arguments as `record`). A
    successful request commits it with its changes; a refused or failed one rolls its changes
    back and commits this row alone, so a refusal is on record too (an integration client's
    call answered 401, 403 or 429 is as much worth keeping as one answered 200). The app
    factory's one commit per request (`_commit_on_success`) adds it: call this in a view or
    an after_request hook of the request."""
    g.setdefault(_OUTCOME_ROWS, []).append((actor, action, details))


def add_outcome_rows() -> int:
    """Add this request's `record_outcome` rows to the session; how many there were."""
    rows = g.pop(_OUTCOME_ROWS, [])
    for actor, action, details in rows:
        record(actor, action, **details)
    return len(rows)


class AuditLogIsAppendOnly(RuntimeError):
    pass


# Records that are written once and never changed: the audit log here, and the domains'
# money records (committed payments, ledger entries) register themselves too.
APPEND_ONLY: list[type] = []


def add_dated_figure(row: Any, *, actor: Actor | None, action: str, label: str, value: Any) -> Any:
    """Add one effective-dated figure (a rate, a cost figure: a row with `kind` and
    `effective_from`) with its audit row. Figures are never edited: a change is a new row
    from a date, so the log of additions is the figure's whole history."""
    db.session.add(row)
    record(
        actor,
        action,
        row,
        summary=f"{label} from {row.effective_from:%d %B %Y}: {value}",
        after={
            "kind": row.kind,
            "effective_from": row.effective_from.isoformat(),
            "value": str(value),
        },
    )
    return row


def append_only(cls: type) -> type:
    APPEND_ONLY.append(cls)
    return cls


append_only(AuditEvent)


@event.listens_for(Session, "before_flush")
def _refuse_rewrites(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, tuple(APPEND_ONLY)) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise AuditLogIsAppendOnly(
                f"{type(obj).__name__} rows are never changed or deleted: record a new entry"
            )


@dataclass(frozen=True)
class EventFilter:
    """Which audit events to show. Actors and accounts are named by id: the domains turn an
    email address or an account reference into one."""

    action_prefix: str = ""
    actor_id: int | None = None
    by_system: bool = False  # events nobody signed in caused (jobs, commands)
    actor_label: str = ""  # an address no current user has: matched as it was recorded
    account_id: int | None = None
    occurred_from: datetime | None = None
    occurred_before: datetime | None = None


# Past this many events for an action prefix, the newest are found sooner by reading the log
# newest first than through the action index (which would sort them all).
COMMON_ACTION = 1000


def _action_starts_with(prefix: str):
    dialect = db.session.get_bind().dialect.name
    condition = starts_with_text(AuditEvent.action, prefix, dialect)
    if dialect != "sqlite":
        return condition  # PostgreSQL's planner weighs the two ways itself, from its statistics
    common = db.session.execute(
        select(func.count()).select_from(
            select(AuditEvent.id).where(condition).limit(COMMON_ACTION).subquery()
        )
    ).scalar_one()
    # `action || ''` is the same text, but no index answers it: SQLite reads newest first.
    return (
        starts_with_text(AuditEvent.action + "", prefix, dialect)
        if common >= COMMON_ACTION
        else condition
    )


def find_events(wanted: EventFilter) -> Select:
    """Audit events matching `wanted`, newest first; each condition is one an index answers
    (except a former address, which is rare and read as recorded)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if wanted.action_prefix:
        query = query.where(_action_starts_with(wanted.action_prefix))
    if wanted.actor_id is not None:
        query = query.where(AuditEvent.actor_id == wanted.actor_id)
    elif wanted.by_system:
        query = query.where(AuditEvent.actor_id.is_(None))
    elif wanted.actor_label:
        query = query.where(func.lower(AuditEvent.actor_label) == wanted.actor_label.lower())
    if wanted.account_id is not None:
        query = query.where(AuditEvent.account_id == wanted.account_id)
    if wanted.occurred_from is not None:
        query = query.where(AuditEvent.occurred_at >= wanted.occurred_from)
    if wanted.occurred_before is not None:
        query = query.where(AuditEvent.occurred_at < wanted.occurred_before)
    return query


def record_download(
    actor: Actor, what: str, file_name: str, *, detail: str = "", account_id: int | None = None
) -> AuditEvent:
    """A spreadsheet or file of people's data leaving the system: auditors ask who took it."""
    return record(
        actor,
        f"download.{what}",
        object_type="downloads",
        account_id=account_id,
        summary=f"Downloaded {file_name}" + (f" ({detail})" if detail else ""),
        after={"file": file_name, "detail": detail or None},
    )
