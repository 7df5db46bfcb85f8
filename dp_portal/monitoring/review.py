"""Reviewing returns: the finance officers' queue, questions, acceptance (never by whoever
took part in the return: shared/design.md 2.7), and accepting the clean returns listed.
Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, select

from ..accounts.models import Account
from ..auth.models import User
from ..core import audit
from ..core.audit import AuditEvent
from ..core.errors import RuleError
from ..core.types import local_today, utcnow
from ..extensions import db
from ..third_party.models import Mandate
from .models import Evidence, MonitoringReturn


def took_part(row: MonitoringReturn, user_id: int) -> bool:
    """Whether `user_id` filled in, changed, sent or added evidence to any version of this
    return: if so they may not accept it (shared/design.md 2.7, segregation of duties)."""
    version_ids = select(MonitoringReturn.id).where(
        MonitoringReturn.account_id == row.account_id,
        MonitoringReturn.period_start == row.period_start,
    )
    wrote = db.session.execute(
        select(AuditEvent.id)
        .where(
            AuditEvent.actor_id == user_id,
            AuditEvent.action.in_(["return.draft_saved", "return.submitted"]),
            AuditEvent.object_type == "monitoring_returns",
            AuditEvent.object_id.in_(version_ids),
        )
        .limit(1)
    ).first()
    uploaded = db.session.execute(
        select(Evidence.id)
        .where(
            Evidence.account_id == row.account_id,
            Evidence.period_start == row.period_start,
            Evidence.uploaded_by_id == user_id,
        )
        .limit(1)
    ).first()
    return bool(wrote or uploaded or row.submitted_by_id == user_id)


def accept(row: MonitoringReturn, *, actor: User, note: str = "") -> None:
    if row.status != "submitted":
        raise RuleError("Only a return waiting for review can be accepted")
    if took_part(row, actor.id):
        raise RuleError(
            "You filled in or sent this return for the person, so another finance officer "
            "must accept it"
        )
    if row.flags and not note.strip():
        raise RuleError("This return has flags: say what you checked and why you are accepting it")
    row.status, row.decided_by_id, row.decided_at = "accepted", actor.id, utcnow()
    row.decision_note = note.strip() or None
    audit.record(
        actor,
        "return.accepted",
        row,
        account_id=row.account_id,
        summary="Return accepted" + (f": {note.strip()}" if note.strip() else ""),
        before={"status": "submitted"},
        after={"status": "accepted", "note": note.strip() or None},
    )


def raise_query(row: MonitoringReturn, message: str, *, actor: User) -> None:
    if row.status != "submitted":
        raise RuleError("Only a return waiting for review can be queried")
    row.status, row.query_message = "queried", message
    row.decided_by_id, row.decided_at = actor.id, utcnow()
    audit.record(
        actor,
        "return.queried",
        row,
        account_id=row.account_id,
        summary="Question raised on a return",
        after={"status": "queried", "message": message},
    )


def queue(
    *,
    status: str = "submitted",
    flagged: str = "",
    locality: str = "",
    organisation_id: int | None = None,
    older_than_days: int | None = None,
    today: date | None = None,
):
    """Returns to review, oldest first, filtered by status, flags, locality, managing
    organisation and age."""
    query = (
        select(MonitoringReturn)
        .join(Account, Account.id == MonitoringReturn.account_id)
        .order_by(MonitoringReturn.submitted_at, MonitoringReturn.id)
    )
    if status in ("submitted", "queried", "accepted"):
        query = query.where(MonitoringReturn.status == status)
    if flagged == "clean":
        query = query.where(MonitoringReturn.flags_json == "[]")
    elif flagged == "flagged":
        query = query.where(MonitoringReturn.flags_json != "[]")
    if locality:
        query = query.where(func.lower(Account.locality) == locality.lower())
    if organisation_id:
        query = query.where(
            exists().where(
                Mandate.account_id == Account.id,
                Mandate.organisation_id == organisation_id,
                Mandate.current_on(today or local_today()),
            )
        )
    if older_than_days:
        cutoff = utcnow() - timedelta(days=older_than_days)
        query = query.where(MonitoringReturn.submitted_at <= cutoff)
    return query


BULK_LIMIT = 200  # returns on one "accept these" confirmation page


def clean_to_accept(actor: User) -> list[MonitoringReturn]:
    """The returns with no flags that `actor` may accept, oldest first, for the confirmation
    page (returns they took part in are left for another officer)."""
    rows = db.session.execute(queue(flagged="clean").limit(BULK_LIMIT * 2)).scalars().all()
    return [row for row in rows if not took_part(row, actor.id)][:BULK_LIMIT]


@dataclass(frozen=True)
class BulkOutcome:
    accepted: int
    skipped: int


def accept_listed(return_ids: list[int], actor: User) -> BulkOutcome:
    """Accept exactly the returns the officer saw listed, and only those still clean and
    waiting: a return sent or changed after the page was shown is left for its own review."""
    rows = db.session.execute(
        select(MonitoringReturn).where(MonitoringReturn.id.in_(return_ids[:BULK_LIMIT]))
    ).scalars()
    accepted = 0
    for row in rows:
        if row.status == "submitted" and not row.flags and not took_part(row, actor.id):
            accept(row, actor=actor)
            accepted += 1
    return BulkOutcome(accepted, len(set(return_ids)) - accepted)
