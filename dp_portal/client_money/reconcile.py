"""Reconciling an organisation's pooled client account month by month: starting a month,
the statement's closing balance, differences and their explanations, sending for sign-off,
sign-off by a second staff member, and sending back. Rules and the lifecycle are
reconciliation.py's. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..accounts.models import Account
from ..core import audit
from ..core.errors import NotFound, RuleError
from ..core.money import format_money, from_pence, to_pence
from ..core.pagination import BoundedPage, bounded_page
from ..core.permissions import Viewer
from ..core.types import utcnow
from ..extensions import db
from ..third_party.money_models import PooledReconciliation, ReconciliationDifference
from . import pooled_differences, reconciliation, scope
from .reconciliation import DIFFERENCE_SIGN, Figures, RecStatus

MONTHS_OFFERED = 12
# An organisation paid for thousands of clients can see thousands of differences in an open
# month (each council payment not yet on an imported statement): 100 a page, and the first
# few still to explain offered as forms, each explained one making room for the next.
DIFFERENCES_PER_PAGE = 100
EXPLAIN_AT_ONCE = 10


def months(viewer: Viewer) -> list[PooledReconciliation]:
    org_id = scope.own_organisation(viewer)
    return list(
        db.session.execute(
            select(PooledReconciliation)
            .where(PooledReconciliation.organisation_id == org_id)
            .order_by(PooledReconciliation.month.desc())
        ).scalars()
    )


def months_to_start(viewer: Viewer) -> list[tuple[str, str]]:
    """The ended months of the last year not yet started, newest first, for the form."""
    started = {rec.month for rec in months(viewer)}
    first = viewer.today.replace(day=1)
    offered = []
    for back in range(1, MONTHS_OFFERED + 1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        day = date(year, month + 1, 1)
        if day not in started:
            offered.append((day.isoformat(), f"{day:%B %Y}"))
    return offered


def start_month(viewer: Viewer, month_text: str) -> PooledReconciliation:
    if month_text not in dict(months_to_start(viewer)):
        raise RuleError("Choose a month that has ended and has not been started")
    rec = PooledReconciliation(
        organisation_id=scope.own_organisation(viewer),
        month=date.fromisoformat(month_text),
        status=RecStatus.OPEN.value,
    )
    db.session.add(rec)
    db.session.flush()
    _list_unposted_council_payments(rec, viewer)
    pooled_differences.refresh(rec)
    audit.record(viewer.user, "reconciliation.started", rec, summary=f"{rec.month:%B %Y} started")
    return rec


def _list_unposted_council_payments(rec: PooledReconciliation, viewer: Viewer) -> None:
    """The council's records say it paid these into the pooled account; no sub-ledger has
    them. Each becomes a difference to explain (and, usually, to post)."""
    rows = reconciliation.unposted_council_payments(rec)
    refs = dict(
        db.session.execute(
            select(Account.id, Account.reference).where(Account.id.in_({r[1] for r in rows}))
        ).all()
    )
    for payment_id, account_id, pence, paid_on in rows:
        db.session.add(
            ReconciliationDifference(
                reconciliation_id=rec.id,
                kind="council_payment_not_posted",
                amount_pence=pence,
                description=f"Council payment for {refs[account_id]} paid {paid_on:%d %B %Y}",
                payment_id=payment_id,
                created_by_id=viewer.user.id,
            )
        )
    db.session.flush()


@dataclass(frozen=True)
class MonthPage:
    rec: PooledReconciliation
    figures: Figures
    differences: BoundedPage  # this page of the month's differences, in the order listed
    unexplained: int  # the month's differences not explained yet (every page)
    to_explain: list[ReconciliationDifference]  # the first of those, offered as forms
    problems: list[str]  # why it cannot be sent for sign-off yet
    can_prepare: bool  # the organisation's staff, while it is being prepared
    can_sign_off: bool  # a second staff member, while it waits
    prepared_by_reader: bool


def month_page(viewer: Viewer, rec: PooledReconciliation, page: int = 1) -> MonthPage:
    """The month as it stands (page `page` of its differences); while it is open, its
    differences are first brought up to date with the statement (pooled_differences.refresh)."""
    pooled_differences.refresh(rec)
    listed = select(ReconciliationDifference).where(
        ReconciliationDifference.reconciliation_id == rec.id
    )
    items = bounded_page(
        listed.order_by(ReconciliationDifference.id),
        page,
        per_page=DIFFERENCES_PER_PAGE,
        cap=1_000_000,
    )
    waiting = listed.where(ReconciliationDifference.explanation.is_(None))
    unexplained = db.session.execute(
        select(func.count()).select_from(waiting.subquery())
    ).scalar_one()
    to_explain = db.session.execute(
        waiting.order_by(ReconciliationDifference.id).limit(EXPLAIN_AT_ONCE)
    ).scalars()
    sums = reconciliation.figures(rec)
    ours = scope.organisation_of(viewer) == rec.organisation_id
    status = RecStatus(rec.status)
    return MonthPage(
        rec=rec,
        figures=sums,
        differences=items,
        unexplained=unexplained,
        to_explain=list(to_explain),
        problems=reconciliation.ready_problems(rec, sums, unexplained, viewer.today),
        can_prepare=ours and status == RecStatus.OPEN,
        can_sign_off=ours
        and status == RecStatus.AWAITING_SIGN_OFF
        and rec.prepared_by_id != viewer.user.id,
        prepared_by_reader=rec.prepared_by_id == viewer.user.id,
    )


def differences(rec: PooledReconciliation) -> list[ReconciliationDifference]:
    return list(
        db.session.execute(
            select(ReconciliationDifference)
            .where(ReconciliationDifference.reconciliation_id == rec.id)
            .order_by(ReconciliationDifference.id)
        ).scalars()
    )


def _check_open(rec: PooledReconciliation) -> None:
    if rec.status != RecStatus.OPEN:
        raise RuleError("This month has been sent for sign-off, so it cannot be changed")


def enter_closing(viewer: Viewer, rec: PooledReconciliation, closing: Decimal) -> None:
    _check_open(rec)
    before = rec.statement_closing_pence
    rec.statement_closing_pence = to_pence(closing)
    audit.record(
        viewer.user,
        "reconciliation.closing_entered",
        rec,
        summary=f"{rec.month:%B %Y}: statement closing balance {format_money(closing)}",
        before={"statement_closing_pence": before},
        after={"statement_closing_pence": rec.statement_closing_pence},
    )


def add_difference(
    viewer: Viewer, rec: PooledReconciliation, data: dict
) -> ReconciliationDifference:
    _check_open(rec)
    amount = to_pence(data["amount"])
    if amount <= 0:
        raise RuleError("Enter an amount of more than £0.00")
    now = utcnow()
    item = ReconciliationDifference(
        reconciliation_id=rec.id,
        kind=data["kind"],
        amount_pence=amount * DIFFERENCE_SIGN[data["kind"]],
        description=data["description"],
        explanation=data["explanation"],
        explained_by_id=viewer.user.id,
        explained_at=now,
        created_by_id=viewer.user.id,
    )
    db.session.add(item)
    audit.record(
        viewer.user,
        "reconciliation.difference_added",
        item,
        summary=f"{rec.month:%B %Y}: {item.kind_label}, {format_money(from_pence(amount))}",
        after={"kind": item.kind, "amount_pence": item.amount_pence, "rec": rec.id},
    )
    return item


def load_difference(rec: PooledReconciliation, item_id: int) -> ReconciliationDifference:
    item = db.session.execute(
        select(ReconciliationDifference).where(
            ReconciliationDifference.id == item_id,
            ReconciliationDifference.reconciliation_id == rec.id,
        )
    ).scalar_one_or_none()
    if item is None:
        raise NotFound(f"difference {item_id}")
    return item


def explain(viewer: Viewer, rec: PooledReconciliation, item_id: int, text: str) -> None:
    _check_open(rec)
    item = load_difference(rec, item_id)
    before = item.explanation
    item.explanation, item.explained_by_id, item.explained_at = text, viewer.user.id, utcnow()
    audit.record(
        viewer.user,
        "reconciliation.difference_explained",
        item,
        summary=f"{rec.month:%B %Y}: difference explained",
        before={"explanation": before},
        after={"explanation": text},
    )


def send_for_sign_off(viewer: Viewer, rec: PooledReconciliation) -> None:
    page = month_page(viewer, rec)
    if page.problems:
        raise RuleError(page.problems[0])
    sums = page.figures
    reconciliation.move(
        rec,
        RecStatus.AWAITING_SIGN_OFF,
        ledger_total_pence=to_pence(sums.ledger_total),
        council_paid_pence=to_pence(sums.council_paid),
        prepared_by_id=viewer.user.id,
        prepared_at=utcnow(),
        returned_note=None,
    )
    audit.record(
        viewer.user,
        "reconciliation.sent_for_sign_off",
        rec,
        summary=f"{rec.month:%B %Y} sent for sign-off: sub-ledgers "
        f"{format_money(sums.ledger_total)}, statement {format_money(sums.statement_closing)}",
        after={"ledger_total_pence": rec.ledger_total_pence, "status": rec.status},
    )


def sign_off(viewer: Viewer, rec: PooledReconciliation) -> None:
    if rec.prepared_by_id == viewer.user.id:
        raise RuleError("A second member of staff must sign off the month you prepared")
    sums = reconciliation.figures(rec)
    if to_pence(sums.ledger_total) != rec.ledger_total_pence or sums.unexplained != 0:
        raise RuleError("The figures have changed since the month was sent: send it back")
    reconciliation.move(
        rec, RecStatus.SIGNED_OFF, signed_off_by_id=viewer.user.id, signed_off_at=utcnow()
    )
    audit.record(
        viewer.user,
        "reconciliation.signed_off",
        rec,
        summary=f"{rec.month:%B %Y} signed off and sealed",
        after={"status": rec.status},
    )


def send_back(viewer: Viewer, rec: PooledReconciliation, note: str) -> None:
    reconciliation.move(rec, RecStatus.OPEN, returned_note=note[:500], prepared_by_id=None)
    audit.record(
        viewer.user,
        "reconciliation.sent_back",
        rec,
        summary=f"{rec.month:%B %Y} sent back: {note}",
        after={"status": rec.status, "note": note},
    )
