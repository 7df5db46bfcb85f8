"""What pricing reads from the database: the rate book and every account's approved plan
versions, as plain values (no ORM object per account), so a whole council loads quickly."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select

from ..core.money import from_pence
from ..extensions import db
from .budgets import LineKind, LineSpec
from .models import Budget, BudgetLine, ProviderRate, RateRow
from .pricing import PlanVersion
from .rates import RateBook, RateKind


def rate_book() -> RateBook:
    rows = db.session.execute(
        select(RateRow.kind, RateRow.effective_from, RateRow.id, RateRow.value)
    ).all()
    providers = db.session.execute(
        select(
            ProviderRate.organisation_id,
            ProviderRate.effective_from,
            ProviderRate.id,
            ProviderRate.hourly_pence,
        )
    ).all()
    return RateBook(
        tuple(
            (
                RateKind(kind),
                start,
                row_id,
                Decimal(value) / 100 if RateKind(kind).is_percentage else from_pence(value),
            )
            for kind, start, row_id, value in rows
        ),
        tuple((org, start, row_id, from_pence(pence)) for org, start, row_id, pence in providers),
    )


def load_plans(account_ids: set[int] | None = None) -> dict[int, list[PlanVersion]]:
    """Account id -> its approved plan versions, oldest first."""
    budgets = select(
        Budget.id,
        Budget.account_id,
        Budget.effective_from,
        Budget.weekly_contribution_pence,
        Budget.contribution_basis,
    ).where(Budget.status == "approved")
    lines = (
        select(
            BudgetLine.budget_id,
            BudgetLine.kind,
            BudgetLine.description,
            BudgetLine.hours_hundredths,
            BudgetLine.amount_pence,
            BudgetLine.provider_id,
        )
        .join(Budget, Budget.id == BudgetLine.budget_id)
        .where(Budget.status == "approved")
    )
    if account_ids is not None:
        budgets = budgets.where(Budget.account_id.in_(account_ids))
        lines = lines.where(Budget.account_id.in_(account_ids))
    by_budget = _line_specs(lines.order_by(BudgetLine.id))
    pounds: dict[int, Decimal] = {}
    plans: dict[int, list[PlanVersion]] = defaultdict(list)
    for budget_id, account_id, start, contribution, basis in db.session.connection().execute(
        budgets.order_by(Budget.effective_from, Budget.version)
    ):
        if contribution not in pounds:
            pounds[contribution] = from_pence(contribution)
        plans[account_id].append(
            PlanVersion(budget_id, start, pounds[contribution], basis, tuple(by_budget[budget_id]))
        )
    return plans


def _line_specs(query) -> dict[int, list[LineSpec]]:
    # A council has many budgets but few distinct lines and contributions: build each once.
    kinds = {kind.value: kind for kind in LineKind}
    specs: dict[tuple, LineSpec] = {}
    by_budget: dict[int, list[LineSpec]] = defaultdict(list)
    for budget_id, *raw in db.session.connection().execute(query):
        key = tuple(raw)
        spec = specs.get(key)
        if spec is None:
            kind, description, hours, amount, provider = raw
            spec = specs[key] = LineSpec(
                kinds[kind],
                description,
                Decimal(hours) / 100 if hours is not None else None,
                from_pence(amount) if amount is not None else None,
                provider,
            )
        by_budget[budget_id].append(spec)
    return by_budget
