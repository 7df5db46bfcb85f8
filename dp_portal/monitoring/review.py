"""Reviewing returns: the finance officers' queue, questions, acceptance (never by whoever
took part in the return: shared/design.md 2.7), and accepting the clean returns listed.
Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..accounts.scope import Need
from ..auth.models import Role, User
from ..core import audit
from ..core.audit import AuditEvent
from ..core.errors import RuleError
from ..core.pagination import BoundedPage, bounded_page
from ..core.permissions import Viewer
from ..core.types import local_today, utcnow
from ..extensions import db
from ..third_party.models import Mandate, Organisation
from ..third_party.money_models import LedgerReturn
from . import expected, review_page
from .drafts import figures_of
from .evidence import evidence_for
from .lifecycle import RETURN, ReturnStatus
from .models import Conversation, Evidence, MonitoringReturn
from .reconcile import Figures
from .recoveries import conversations
from .scope import SUBMITTERS

NOT_WAITING = "Only a return waiting for review can be {}"


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
    RETURN.check(row.status, ReturnStatus.ACCEPTED, NOT_WAITING.format("accepted"))
    if took_part(row, actor.id):
        raise RuleError(
            "You filled in or sent this return for the person, so another finance officer "
            "must accept it"
        )
    if row.flags and not note.strip():
        raise RuleError("This return has flags: say what you checked and why you are accepting it")
    RETURN.move(row, ReturnStatus.ACCEPTED, NOT_WAITING.format("accepted"))
    row.decided_by_id, row.decided_at = actor.id, utcnow()
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
    RETURN.move(row, ReturnStatus.QUERIED, NOT_WAITING.format("queried"))
    row.query_message = message
    expected.refresh_account(row.account_id)  # owed again, unless a version was sent before
    row.decided_by_id, row.decided_at = actor.id, utcnow()
    audit.record(
        actor,
        "return.queried",
        row,
        account_id=row.account_id,
        summary="Question raised on a return",
        after={"status": "queried", "message": message},
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str = "submitted"
    flagged: str = ""  # "clean", "flagged" or anything
    locality: str = ""
    organisation_id: int | None = None
    older_than_days: int | None = None


def queue(filters: QueueFilters, today: date) -> Select[tuple[MonitoringReturn]]:
    """Returns to review, oldest first, filtered by status, flags, locality, managing
    organisation and age, each with its account and person (one query for a page). Only the
    returns table is counted: accounts are filtered by subquery, never joined, so a page of
    a long list is found along the index on (status, submitted_at)."""
    query = (
        select(MonitoringReturn)
        .options(joinedload(MonitoringReturn.account).joinedload(Account.person))
        .order_by(MonitoringReturn.submitted_at, MonitoringReturn.id)
    )
    if filters.status in (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED, ReturnStatus.ACCEPTED):
        query = query.where(MonitoringReturn.status == filters.status)
    if filters.flagged == "clean":
        query = query.where(MonitoringReturn.flags_json == "[]")
    elif filters.flagged == "flagged":
        query = query.where(MonitoringReturn.flags_json != "[]")
    if filters.locality:
        in_locality = select(Account.id).where(
            func.lower(Account.locality) == filters.locality.lower()
        )
        query = query.where(MonitoringReturn.account_id.in_(in_locality))
    if filters.organisation_id:
        query = query.where(
            exists().where(
                Mandate.account_id == MonitoringReturn.account_id,
                Mandate.organisation_id == filters.organisation_id,
                Mandate.current_on(today),
            )
        )
    if filters.older_than_days:
        cutoff = utcnow() - timedelta(days=filters.older_than_days)
        query = query.where(MonitoringReturn.submitted_at <= cutoff)
    return query


@dataclass(frozen=True)
class QueuePage:
    page: BoundedPage
    organisations: list[tuple[int, str]]  # the managing organisations to filter by


def queue_page(filters: QueueFilters, today: date, page: int) -> QueuePage:
    """One page (50) of the queue, and the organisations its filter offers."""
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind != "provider")
        .order_by(Organisation.name)
    ).all()
    return QueuePage(
        bounded_page(queue(filters, today), page),
        [(org_id, name) for org_id, name in organisations],
    )


@dataclass(frozen=True)
class ReturnPage:
    figures: Figures
    evidence: list[Evidence]
    conversations: list[Conversation]
    finance: bool  # a finance officer: the review forms are shown
    can_answer_query: bool  # may answer the question by sending a new version
    can_amend: bool  # may start an amendment of the accepted return
    can_discuss_surplus: bool  # a sent return with a surplus: conversations and recoveries
    can_review: bool  # waiting for review: accept it or ask a question
    took_part: bool  # the finance officer took part in it, so may not accept it
    sections: list[review_page.Section]  # the lines, their flags, the earlier returns' figures
    earlier: list[MonitoringReturn]  # the account's two returns before this one, compared
    record: list[review_page.Entry]  # versions sent, questions asked, decisions
    council: bool  # council staff: evidence previewed, officers' notes shown
    # Built by an organisation from the person's client-money sub-ledger (issue 13).
    from_ledger: LedgerReturn | None = None


def return_page(viewer: Viewer, row: MonitoringReturn) -> ReturnPage:
    finance = viewer.role == Role.FINANCE_OFFICER
    may_send = viewer.role in SUBMITTERS and account_scope.allows(
        viewer, row.account_id, Need.RETURNS
    )
    sent = row.status in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)
    earlier = review_page.earlier_returns(row)
    council = viewer.role in (Role.FINANCE_OFFICER, Role.TEAM_LEADER, Role.ADMIN)
    return ReturnPage(
        figures=figures_of(row),
        evidence=evidence_for(row.account_id, row.period_start),
        conversations=conversations(row),
        finance=finance,
        can_answer_query=may_send and row.status == ReturnStatus.QUERIED,
        can_amend=may_send and row.status == ReturnStatus.ACCEPTED,
        can_discuss_surplus=finance and sent and bool(row.surplus_pence),
        can_review=finance and RETURN.allows(row.status, ReturnStatus.ACCEPTED),
        took_part=finance and took_part(row, viewer.user.id),
        sections=review_page.sections(row, earlier),
        earlier=earlier,
        record=review_page.conversation_record(row, council=council),
        council=council,
        from_ledger=db.session.execute(
            select(LedgerReturn).where(LedgerReturn.return_id == row.id)
        ).scalar_one_or_none(),
    )


BULK_LIMIT = 200  # returns on one "accept these" confirmation page


def clean_to_accept(actor: User) -> list[MonitoringReturn]:
    """The returns with no flags that `actor` may accept, oldest first, for the confirmation
    page (returns they took part in are left for another officer)."""
    query = queue(QueueFilters(flagged="clean"), local_today())
    rows = db.session.execute(query.limit(BULK_LIMIT * 2)).scalars().all()
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
        if (
            RETURN.allows(row.status, ReturnStatus.ACCEPTED)
            and not row.flags
            and not took_part(row, actor.id)
        ):
            accept(row, actor=actor)
            accepted += 1
    return BulkOutcome(accepted, len(set(return_ids)) - accepted)
