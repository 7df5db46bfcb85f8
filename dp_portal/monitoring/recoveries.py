"""Before any recovery, the conversation: statutory guidance expects the reasons for an
underspend to be established first. A recovery itself belongs to payments (raised through its
services), so payments never imports monitoring. Never commits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..auth.models import User
from ..core import audit
from ..core.errors import RuleError
from ..core.money import from_pence
from ..extensions import db
from ..payments import services as payment_services
from .drafts import figures_of
from .lifecycle import ReturnStatus
from .models import Conversation, MonitoringReturn
from .reconcile import CONTINGENCY_WEEKS


def conversations(row: MonitoringReturn) -> list[Conversation]:
    return list(
        db.session.execute(
            select(Conversation).where(Conversation.return_id == row.id).order_by(Conversation.id)
        ).scalars()
    )


def record_conversation(
    row: MonitoringReturn, *, held_on: date, with_whom: str, reasons: str, outcome: str, actor: User
) -> Conversation:
    if row.status not in (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED):
        raise RuleError("Record the conversation about a return that has been sent")
    talk = Conversation(
        return_id=row.id,
        held_on=held_on,
        with_whom=with_whom,
        reasons=reasons,
        outcome=outcome,
        recorded_by_id=actor.id,
    )
    db.session.add(talk)
    audit.record(
        actor,
        "return.conversation_recorded",
        talk,
        account_id=row.account_id,
        summary=f"Underspend discussed with {with_whom}: {Conversation.OUTCOMES[outcome].lower()}",
        after={
            "held_on": held_on.isoformat(),
            "with": with_whom,
            "reasons": reasons,
            "outcome": outcome,
        },
    )
    return talk


def recover_surplus(
    row: MonitoringReturn, *, amount: Decimal, method: str, reason: str, actor: User
):
    """Raise a recovery from a return: only after a recorded conversation whose outcome was to
    recover, and never more than the surplus the return shows."""
    if not any(talk.outcome == "recover" for talk in conversations(row)):
        raise RuleError(
            "Record the conversation with the person first: statutory guidance expects the "
            "reasons for an underspend to be established before anything is recovered"
        )
    if amount > from_pence(row.surplus_pence):
        raise RuleError(
            f"The most that can be recovered is the surplus, {from_pence(row.surplus_pence)} pounds"
        )
    figures = figures_of(row)
    contingency = (
        figures.closing - figures.wages_owed - figures.hmrc_due - from_pence(row.surplus_pence)
    )
    return payment_services.raise_recovery(
        row.account,
        amount=amount,
        method=method,
        reason=reason,
        source=f"{row.period_start:%d %B %Y} to {row.period_end:%d %B %Y}",
        working={
            "closing": figures.closing,
            "liabilities": figures.wages_owed + figures.hmrc_due,
            "contingency": contingency,
            "contingency_weeks": CONTINGENCY_WEEKS,
        },
        actor=actor,
    )
