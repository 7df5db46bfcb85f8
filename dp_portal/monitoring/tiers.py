"""Monitoring tiers and the return periods they give an account: a tier change is a recorded
decision (shared/design.md 2.3); the periods themselves are worked out by periods.py. Never
commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..accounts.models import Account
from ..auth.models import User
from ..core import audit
from ..core.calendar import Region
from ..core.calendar_models import working_calendar
from ..extensions import db
from .models import TierChange
from .periods import ReturnPeriod, Tier, return_periods


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


def periods_for(account: Account, today: date) -> list[ReturnPeriod]:
    return return_periods(
        account.start_date, tier_history(account.id), today, working_calendar(Region.SCOTLAND)
    )


def period_for(account: Account, start: date, today: date) -> ReturnPeriod | None:
    return next((p for p in periods_for(account, today) if p.start == start), None)
