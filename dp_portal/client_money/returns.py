"""A monitoring return for a managed person, built from their sub-ledger for the period and
sent into the same review as every return (monitoring's drafts and sending). The officer
reviewing it sees that it came from the sub-ledger, and whether every month it covers was
reconciled and signed off. Never commits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..accounts.models import Account
from ..accounts.scope import Need
from ..core.errors import RuleError
from ..core.money import ZERO, from_pence
from ..core.permissions import Viewer
from ..extensions import db
from ..monitoring import drafts
from ..monitoring import return_form as form_pages
from ..monitoring.models import MonitoringReturn
from ..monitoring.periods import ReturnPeriod
from ..monitoring.scope import load_period
from ..third_party.money_models import (
    ClientBalance,
    ClientPosting,
    LedgerReturn,
    PooledReconciliation,
    PostingKind,
)
from . import ledger, scope
from .reconciliation import RecStatus

# Which return figure each kind of sub-ledger line adds to (money out as a positive spend).
RETURN_FIELD = {
    PostingKind.COUNCIL_PAYMENT: "council_payments",
    PostingKind.CONTRIBUTION: "contributions",
    PostingKind.REFUND_RECEIVED: "other_income",
    PostingKind.PA_WAGES: "spend_pa_wages",
    PostingKind.HMRC: "spend_hmrc",
    PostingKind.PENSION: "spend_pension",
    PostingKind.AGENCY_INVOICE: "spend_provider_invoices",
    PostingKind.PROVIDER_INVOICE: "spend_provider_invoices",
    PostingKind.FEE: "spend_payroll",  # the money management fee: a payroll-service cost
    PostingKind.OTHER_AGREED: "spend_other_agreed",
    PostingKind.REFUND_TO_COUNCIL: "spend_other_agreed",
}
INCOME = {"council_payments", "contributions", "other_income"}


@dataclass(frozen=True)
class LedgerReturnPage:
    account: Account
    period: ReturnPeriod
    values: dict[str, Decimal]
    working: list[tuple[str, Decimal]]  # each kind of line and its total
    lines: int
    reconciled: bool
    organisation_name: str


def _balance(viewer: Viewer, account: Account) -> ClientBalance:
    balance = db.session.execute(
        select(ClientBalance).where(
            ClientBalance.account_id == account.id,
            ClientBalance.organisation_id == scope.own_organisation(viewer),
        )
    ).scalar_one_or_none()
    if balance is None:
        raise RuleError("No client money has been recorded for this person yet")
    return balance


def build(viewer: Viewer, account_id: int, start: str) -> LedgerReturnPage:
    scope.load_account(viewer, account_id, Need.CLIENT_MONEY)
    account, period = load_period(viewer, account_id, start, Need.RETURNS)
    if period.end >= viewer.today:
        raise RuleError(f"You can send this return once the period ends on {period.end:%d %B %Y}")
    balance = _balance(viewer, account)
    totals, lines = _totals(balance.id, period)
    values = {name: ZERO for name in drafts.FIELDS}
    working = []
    for kind, pence in totals.items():
        field = RETURN_FIELD[kind]
        amount = from_pence(pence if field in INCOME else -pence)
        values[field] += amount
        working.append((kind.label, amount))
    values["opening"] = from_pence(ledger.balance_on(balance.id, period.start - timedelta(days=1)))
    values["closing"] = from_pence(ledger.balance_on(balance.id, period.end))
    values["bank_balance"] = values["closing"]
    return LedgerReturnPage(
        account=account,
        period=period,
        values=values,
        working=working,
        lines=lines,
        reconciled=reconciled(balance.organisation_id, period.start, period.end),
        organisation_name=balance.organisation.name,
    )


def _totals(balance_id: int, period: ReturnPeriod) -> tuple[dict[PostingKind, int], int]:
    """Each kind's total in the period; a correction counts under the kind it corrects."""
    corrected = aliased(ClientPosting)
    kind = func.coalesce(corrected.kind, ClientPosting.kind)
    rows = db.session.execute(
        select(kind, func.sum(ClientPosting.amount_pence), func.count())
        .outerjoin(corrected, corrected.id == ClientPosting.corrects_posting_id)
        .where(
            ClientPosting.balance_id == balance_id,
            ClientPosting.entry_date >= period.start,
            ClientPosting.entry_date <= period.end,
        )
        .group_by(kind)
    ).all()
    totals: dict[PostingKind, int] = defaultdict(int)
    for name, pence, _ in rows:
        totals[PostingKind(name)] += int(pence)
    return dict(sorted(totals.items())), sum(count for _, _, count in rows)


def reconciled(org_id: int, start: date, end: date) -> bool:
    """Whether every month from `start` to `end` has been signed off."""
    months, day = set(), start.replace(day=1)
    while day <= end:
        months.add(day)
        day = (day + timedelta(days=32)).replace(day=1)
    signed = set(
        db.session.execute(
            select(PooledReconciliation.month).where(
                PooledReconciliation.organisation_id == org_id,
                PooledReconciliation.status == RecStatus.SIGNED_OFF,
                PooledReconciliation.month.in_(months),
            )
        ).scalars()
    )
    return months <= signed


def send(viewer: Viewer, account_id: int, start: str) -> MonitoringReturn:
    page = build(viewer, account_id, start)
    note = (
        f"Built from the sub-ledger {page.organisation_name} keeps for this person in its "
        f"pooled client account ({page.lines} lines). "
        + (
            "Every month it covers was reconciled and signed off."
            if page.reconciled
            else "Not every month it covers has been reconciled and signed off yet."
        )
    )
    draft = form_pages.save_form(
        page.account, page.period, page.values, note, send=True, actor=viewer.user
    )
    db.session.add(
        LedgerReturn(
            return_id=draft.id,
            organisation_id=scope.own_organisation(viewer),
            reconciled=page.reconciled,
            postings=page.lines,
            built_by_id=viewer.user.id,
        )
    )
    return draft


def built_from_ledger(return_id: int) -> LedgerReturn | None:
    """For the officer's review page: where a return's figures came from."""
    return db.session.execute(
        select(LedgerReturn).where(LedgerReturn.return_id == return_id)
    ).scalar_one_or_none()
