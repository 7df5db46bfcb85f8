"""An account's monitoring: its tier (changing it is a recorded decision, shared/design.md
2.3), the return periods that gives (worked out by periods.py), and the account's returns page
listing them. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..accounts.scope import Need
from ..auth.models import Role, User
from ..core import audit
from ..core.calendar import Region
from ..core.calendar_models import working_calendar
from ..core.permissions import Viewer
from ..extensions import db
from . import expected
from .drafts import latest_returns
from .escalations import tasks_for_account
from .lifecycle import ReturnStatus, TaskStatus
from .models import EscalationTask, MonitoringReturn, TierChange
from .periods import ReturnPeriod, Tier, return_periods
from .scope import SUBMITTERS


def tier_history(account_id: int) -> list[tuple[date, Tier]]:
    rows = db.session.execute(
        select(TierChange.effective_from, TierChange.tier)
        .where(TierChange.account_id == account_id)
        .order_by(TierChange.effective_from, TierChange.id)
    ).all()
    return [(start, Tier(tier)) for start, tier in rows]


def current_tier(account_id: int, today: date) -> Tier:
    tier = Tier.STANDARD
    for start, value in tier_history(account_id):
        if start <= today:
            tier = value
    return tier


def change_tier(
    account: Account, tier: Tier, effective_from: date, reason: str, *, actor: User
) -> None:
    before = current_tier(account.id, effective_from).value
    row = TierChange(
        account_id=account.id,
        tier=str(tier),
        effective_from=effective_from,
        reason=reason,
        decided_by_id=actor.id,
    )
    db.session.add(row)
    audit.record(
        actor,
        "monitoring.tier_changed",
        row,
        account_id=account.id,
        summary=f"Monitoring changed to {tier.label.lower()} from {effective_from:%d %B %Y}",
        before={"tier": before},
        after={"tier": str(tier), "reason": reason},
    )
    expected.refresh_account(account.id)  # its periods, and so the returns owed, change


def periods_for(account: Account, today: date) -> list[ReturnPeriod]:
    return return_periods(
        account.start_date, tier_history(account.id), today, working_calendar(Region.SCOTLAND)
    )


def period_for(account: Account, start: date, today: date) -> ReturnPeriod | None:
    return next((p for p in periods_for(account, today) if p.start == start), None)


@dataclass(frozen=True)
class PeriodRow:
    period: ReturnPeriod
    latest: MonitoringReturn | None  # the newest version of its return, if any
    status: str  # what the row says: the return's status, or where the period stands
    overdue: bool  # no return and past its due date
    viewable: bool  # a version has been sent: its page can be opened
    action: str | None  # "Fill in", "Start a draft", "Continue" or "Answer and send again"


@dataclass(frozen=True)
class ReturnsOverview:
    rows: list[PeriodRow]  # newest period first
    tier: Tier
    can_submit: bool
    escalations: list[EscalationTask]  # not closed; shown to finance officers only


def _row(period: ReturnPeriod, latest: MonitoringReturn | None, today: date, can_submit: bool):
    if latest is not None:
        status = ReturnStatus(latest.status)
        text = status.label
    else:
        status = None
        text = "Period not finished" if period.end >= today else "Not sent yet"
    action = None
    if can_submit and status in (None, ReturnStatus.DRAFT, ReturnStatus.QUERIED):
        # A period still running can be drafted, not sent (sending.submit).
        first = "Fill in" if period.end < today else "Start a draft"
        action = {None: first, ReturnStatus.DRAFT: "Continue"}.get(status, "Answer and send again")
    return PeriodRow(
        period,
        latest,
        text,
        overdue=status is None and period.end < today and period.due < today,
        viewable=status not in (None, ReturnStatus.DRAFT),
        action=action,
    )


def overview(viewer: Viewer, account: Account) -> ReturnsOverview:
    """The account's returns page: every period with the latest version of its return."""
    latest = latest_returns(account.id)
    finance = viewer.role == Role.FINANCE_OFFICER
    can_submit = viewer.role in SUBMITTERS and account_scope.allows(
        viewer, account.id, Need.RETURNS
    )
    return ReturnsOverview(
        rows=[
            _row(p, latest.get(p.start), viewer.today, can_submit)
            for p in reversed(periods_for(account, viewer.today))
        ],
        tier=current_tier(account.id, viewer.today),
        can_submit=can_submit,
        escalations=[t for t in tasks_for_account(account.id) if t.status != TaskStatus.CLOSED]
        if finance
        else [],
    )
