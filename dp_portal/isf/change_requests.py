"""Change requests to a sealed period (issue 14, part B): a correction argued on screen between
the provider and the council, not by email, and decided once. The state machine is in
lifecycles.py; when the council agrees, an adjustment is paid in the next run as an arrears
item naming the sealed period (invoice_payments.py), and the period itself is never edited.

A request is due an answer 10 Scottish working days after it was raised or last answered
(core/calendar, with the council's closures); unanswered by then it is overdue. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update

from ..auth.models import Role
from ..core import audit
from ..core.calendar import Region
from ..core.calendar_models import working_calendar
from ..core.errors import NotAllowed, RuleError
from ..core.money import format_money, from_pence, to_pence
from ..core.types import utcnow
from ..extensions import db
from . import invoices
from .delivery_models import IsfAdjustment, IsfChangeMessage, IsfChangeRequest, IsfPeriod
from .lifecycles import (
    AdjustmentStatus,
    ChangeStatus,
    PeriodStatus,
    move_change_request,
)

LIVE = (ChangeStatus.OPEN, ChangeStatus.ANSWERED, ChangeStatus.OVERDUE)


def party_for(user) -> str:
    """Which side of the conversation the signed-in user speaks for."""
    if user.role == Role.PROVIDER_STAFF:
        return "provider"
    if user.role == Role.FINANCE_OFFICER:
        return "council"
    raise NotAllowed("only the provider or a finance officer takes part in a change request")


def _due(today: date) -> date:
    return invoices.change_due(today, working_calendar(Region.SCOTLAND))


@dataclass(frozen=True)
class ChangeIn:
    subject: str
    message: str
    hours: Decimal | None = None  # signed: more (+) or fewer (-) hours than invoiced
    amount: Decimal | None = None  # signed: owed to (+) or by (-) the provider


def raise_change(period: IsfPeriod, data: ChangeIn, *, actor, today: date) -> IsfChangeRequest:
    """Ask for a correction to a sealed period; the other side is due to answer."""
    party = party_for(actor)
    if period.status != PeriodStatus.SEALED:
        raise RuleError("This period is not sealed yet: correct the invoice instead")
    if not data.subject.strip() or not data.message.strip():
        raise RuleError("Say what should be corrected and why")
    if data.amount is not None and data.amount == 0:
        raise RuleError("Enter the amount to correct by, or leave it empty")
    change = IsfChangeRequest(
        agreement_id=period.agreement_id,
        period_id=period.id,
        raised_by_id=actor.id,
        raised_by_party=party,
        subject=data.subject.strip()[:200],
        hours_hundredths=int(data.hours * 100) if data.hours is not None else None,
        amount_pence=to_pence(data.amount) if data.amount is not None else None,
        status=ChangeStatus.OPEN,
        due_on=_due(today),
    )
    db.session.add(change)
    db.session.flush()
    _message(change, actor, party, data.message)
    audit.record(
        actor,
        "isf.change_requested",
        change,
        account_id=period.agreement.account_id,
        summary=f"Correction asked for the sealed period from {period.period_start:%d %B %Y}: "
        f"{change.subject}",
        after={"amount_pence": change.amount_pence, "due_on": change.due_on.isoformat()},
    )
    return change


def _message(change: IsfChangeRequest, actor, party: str, body: str) -> None:
    db.session.add(
        IsfChangeMessage(
            change_request_id=change.id, author_id=actor.id, party=party, body=body.strip()
        )
    )


def reply(change: IsfChangeRequest, body: str, *, actor, today: date) -> None:
    """A message in the conversation: from the other side it answers the request; from the
    side that raised it, it asks again. Either way the next answer is due in 10 working
    days."""
    party = party_for(actor)
    if change.status not in LIVE:
        raise RuleError("This change request has been decided: the conversation is closed")
    if not body.strip():
        raise RuleError("Write your message")
    if party != change.raised_by_party and change.status != ChangeStatus.ANSWERED:
        move_change_request(change, ChangeStatus.ANSWERED)
    elif party == change.raised_by_party and change.status == ChangeStatus.ANSWERED:
        move_change_request(change, ChangeStatus.OPEN)
    change.due_on = _due(today)
    _message(change, actor, party, body)
    audit.record(
        actor,
        "isf.change_message",
        change,
        summary=f"Message on change request {change.id} from the {party}",
        after={"status": change.status, "due_on": change.due_on.isoformat()},
    )


def agree(change: IsfChangeRequest, amount: Decimal, note: str, *, actor) -> IsfAdjustment:
    """The council agrees the correction: an adjustment of `amount` (owed to the provider if
    positive, by it if negative) is paid in the next run, naming the sealed period."""
    if actor.role != Role.FINANCE_OFFICER:
        raise NotAllowed("only a finance officer agrees a correction")
    if amount == 0:
        raise RuleError("Enter the amount the correction pays (or takes back), not £0.00")
    _decide(change, ChangeStatus.AGREED, note, actor)
    period = db.session.get(IsfPeriod, change.period_id)
    adjustment = IsfAdjustment(
        change_request_id=change.id,
        agreement_id=change.agreement_id,
        period_id=change.period_id,
        amount_pence=to_pence(amount),
        hours_hundredths=change.hours_hundredths,
        description=f"Correction to the period from {period.period_start:%d %B %Y}: "
        f"{change.subject}"[:200],
        status=AdjustmentStatus.PENDING,
    )
    db.session.add(adjustment)
    db.session.flush()
    audit.record(
        actor,
        "isf.change_agreed",
        change,
        account_id=period.agreement.account_id,
        summary=f"Correction agreed: {format_money(amount)} in the next payment run",
        after={"amount_pence": adjustment.amount_pence, "adjustment_id": adjustment.id},
    )
    return adjustment


def refuse(change: IsfChangeRequest, note: str, *, actor) -> None:
    if actor.role != Role.FINANCE_OFFICER:
        raise NotAllowed("only a finance officer refuses a correction")
    _decide(change, ChangeStatus.REFUSED, note, actor)
    audit.record(
        actor,
        "isf.change_refused",
        change,
        summary=f"Correction refused: {change.decision_note}",
        after={"status": "refused"},
    )


def _decide(change: IsfChangeRequest, to: ChangeStatus, note: str, actor) -> None:
    if not note.strip():  # checked first: a refused move changes nothing
        raise RuleError("Say why: the provider reads it")
    move_change_request(change, to)
    change.decided_by_id, change.decided_at = actor.id, utcnow()
    change.decision_note = note.strip()[:500]


def mark_overdue(today: date) -> int:
    """Requests past their due date unanswered become overdue (a scheduled job; safe to run
    twice). Returns how many."""
    result = db.session.execute(
        update(IsfChangeRequest)
        .where(
            IsfChangeRequest.status.in_([ChangeStatus.OPEN, ChangeStatus.ANSWERED]),
            IsfChangeRequest.due_on < today,
        )
        .values(status=ChangeStatus.OVERDUE)
    )
    return result.rowcount or 0


def requests_for(agreement_ids: list[int] | None = None, *, live_only: bool = False) -> list:
    """Change requests, oldest first (the longest waiting at the top)."""
    query = select(IsfChangeRequest).order_by(IsfChangeRequest.created_at, IsfChangeRequest.id)
    if agreement_ids is not None:
        query = query.where(IsfChangeRequest.agreement_id.in_(agreement_ids))
    if live_only:
        query = query.where(IsfChangeRequest.status.in_(LIVE))
    return list(db.session.execute(query).scalars())


def amount_text(pence: int | None) -> str:
    return "" if pence is None else format_money(from_pence(pence))


def overdue_job(app) -> int:
    """For the scheduler's JOBS registry (daily): requests past their due date unanswered."""
    from ..core.daily_jobs import run_daily

    return run_daily(app, mark_overdue, "change requests marked overdue")
