"""Filling in a return: the draft (pre-filled with the opening balance and the council's
payments), a new version after a question, amendments of an accepted return, and saving.
Sending is sending.py. Never commits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select

from ..accounts.models import Account
from ..auth.models import User
from ..core import audit
from ..core.errors import RuleError
from ..core.money import ZERO, from_pence, to_pence
from ..extensions import db
from ..payments.ledger_models import Payment
from . import statement_figures
from .lifecycle import ReturnStatus
from .models import SPEND_COLUMNS, MonitoringReturn
from .periods import ReturnPeriod
from .reconcile import SPENDING, Figures

FIELDS = [
    "opening",
    "council_payments",
    "contributions",
    "other_income",
    *[f"spend_{key}" for key, _ in SPENDING],
    "closing",
    "bank_balance",
    "wages_owed",
    "hmrc_due",
]


def latest_returns(account_id: int) -> dict[date, MonitoringReturn]:
    """The newest version of each period's return."""
    latest: dict[date, MonitoringReturn] = {}
    for row in db.session.execute(
        select(MonitoringReturn)
        .where(MonitoringReturn.account_id == account_id)
        .order_by(MonitoringReturn.period_start, MonitoringReturn.version)
    ).scalars():
        latest[row.period_start] = row
    return latest


def versions(account_id: int, period_start: date) -> list[MonitoringReturn]:
    return list(
        db.session.execute(
            select(MonitoringReturn)
            .where(
                MonitoringReturn.account_id == account_id,
                MonitoringReturn.period_start == period_start,
            )
            .order_by(MonitoringReturn.version.desc())
        ).scalars()
    )


def council_figures(
    account_id: int, period: ReturnPeriod
) -> tuple[Decimal | None, list[tuple[str, Decimal]]]:
    """The last accepted return's closing balance before the period and what the council paid
    into the account in it (as `last_accepted_closing` and `payments_in` give them), in one
    round trip: the account's row, its payments in the period outer-joined (none: one row of
    NULLs), and the closing balance as a subquery on every row. A return's reconcile asks
    this once per upload."""
    closing = (
        select(MonitoringReturn.closing_pence)
        .where(
            MonitoringReturn.account_id == Account.id,
            MonitoringReturn.status == ReturnStatus.ACCEPTED,
            MonitoringReturn.period_end < period.start,
        )
        .order_by(MonitoringReturn.period_end.desc())
        .limit(1)
        .scalar_subquery()
    )
    in_period = and_(
        Payment.account_id == Account.id,
        Payment.pay_date >= period.start,
        Payment.pay_date <= period.end,
    )
    rows = (
        db.session.connection()
        .execute(
            select(closing, Payment.pay_date, Payment.kind, Payment.amount_pence)
            .select_from(Account)
            .outerjoin(Payment, in_period)
            .where(Account.id == account_id)
            .order_by(Payment.pay_date, Payment.id)
        )
        .all()
    )
    opening = None if not rows or rows[0][0] is None else from_pence(rows[0][0])
    names = {"regular": "payment", "arrears": "arrears", "adjustment": "correction"}
    paid = [
        (f"{names[kind]} on {day:%d %B %Y}", from_pence(pence))
        for _, day, kind, pence in rows
        if day is not None
    ]
    return opening, paid


def draft_for(account: Account, period: ReturnPeriod, *, create: bool = True) -> MonitoringReturn:
    """The draft to fill in: the current draft, or a new version after a query, or a new
    return pre-filled with the opening balance and the council's payments. With
    create=False (showing the form) a new draft is not saved until the person saves it."""
    existing = versions(account.id, period.start)
    latest = existing[0] if existing else None
    if latest is not None and latest.status == ReturnStatus.DRAFT:
        return latest
    if latest is not None and latest.status == ReturnStatus.SUBMITTED:
        raise RuleError("This return has been sent, so it cannot be changed")
    if latest is not None and latest.status == ReturnStatus.ACCEPTED:
        raise RuleError(
            "This return has been accepted. To change it or add evidence, send an amendment "
            "from the return's page: we review it again"
        )
    draft = _new_version(account, period, latest)
    if create:
        db.session.add(draft)
    return draft


def question_for(account_id: int, period_start: date) -> str | None:
    """The officer's question the period's draft answers: the message on the version that
    was queried. The new version the person fills in is a separate row with no question of
    its own, so the question is read from the version it answers."""
    for version in versions(account_id, period_start):
        if version.status != ReturnStatus.DRAFT:
            return version.query_message if version.status == ReturnStatus.QUERIED else None
    return None


_CARRIED = (
    "opening_pence",
    "council_payments_pence",
    "contributions_pence",
    "other_income_pence",
    *SPEND_COLUMNS,
    "closing_pence",
    "bank_balance_pence",
    "wages_owed_pence",
    "hmrc_due_pence",
    "explanation",
)


def _new_version(
    account: Account, period: ReturnPeriod, latest: MonitoringReturn | None
) -> MonitoringReturn:
    draft = MonitoringReturn(
        account_id=account.id,
        period_start=period.start,
        period_end=period.end,
        due_date=period.due,
        version=(latest.version + 1) if latest else 1,
        status=ReturnStatus.DRAFT,
        explanation="",
        **{f"{name}_pence": 0 for name in FIELDS},
    )
    if latest is not None:  # answering a query, or amending: start from what was sent
        for column in _CARRIED:
            setattr(draft, column, getattr(latest, column))
    else:
        opening, paid = council_figures(account.id, period)
        draft.opening_pence = to_pence(opening) if opening is not None else 0
        draft.council_payments_pence = to_pence(sum((amount for _, amount in paid), ZERO))
        # A bank statement imported for the period fills the rest: no retyping.
        found = statement_figures.figures(account.id, period)
        if found is not None:
            values = statement_figures.return_values(found, from_pence(draft.opening_pence))
            for name, value in values.items():
                setattr(draft, f"{name}_pence", to_pence(value))
    return draft


def start_amendment(account: Account, period: ReturnPeriod, *, actor: User) -> MonitoringReturn:
    """An accepted return is never changed: a later change, or evidence sent afterwards, is an
    amendment, a new version that goes back to review when it is sent."""
    existing = versions(account.id, period.start)
    latest = existing[0] if existing else None
    if latest is not None and latest.status == ReturnStatus.DRAFT and len(existing) > 1:
        return latest  # an amendment already started
    if latest is None or latest.status != ReturnStatus.ACCEPTED:
        raise RuleError("Only an accepted return can be amended")
    draft = _new_version(account, period, latest)
    db.session.add(draft)
    audit.record(
        actor,
        "return.amendment_started",
        draft,
        account_id=account.id,
        summary=f"Amendment started to the accepted return for {period.start:%d %B %Y}",
        after={"version": draft.version},
    )
    return draft


def save_draft(
    draft: MonitoringReturn, values: dict[str, Decimal], explanation: str, *, actor: User
) -> None:
    if draft.status != ReturnStatus.DRAFT:
        raise RuleError("Only a draft can be changed")
    before = {name: getattr(draft, f"{name}_pence") for name in FIELDS}
    for name in FIELDS:
        if name in values and values[name] is not None:
            setattr(draft, f"{name}_pence", to_pence(values[name]))
    draft.explanation = explanation
    after = {name: getattr(draft, f"{name}_pence") for name in FIELDS}
    # Who filled in a return is who may not accept it (separation of duties), so every save
    # is recorded, not only the sending.
    audit.record(
        actor,
        "return.draft_saved",
        draft,
        account_id=draft.account_id,
        summary=f"Return for {draft.period_start:%d %B %Y} saved (version {draft.version})",
        before={k: v for k, v in before.items() if before[k] != after[k]},
        after={k: v for k, v in after.items() if before[k] != after[k]},
    )


def figures_of(row: MonitoringReturn) -> Figures:
    return Figures(
        opening=row.money("opening_pence"),
        council_payments=row.money("council_payments_pence"),
        contributions=row.money("contributions_pence"),
        other_income=row.money("other_income_pence"),
        spending={key: row.money(f"spend_{key}_pence") for key, _ in SPENDING},
        closing=row.money("closing_pence"),
        bank_balance=row.money("bank_balance_pence"),
        wages_owed=row.money("wages_owed_pence"),
        hmrc_due=row.money("hmrc_due_pence"),
    )
