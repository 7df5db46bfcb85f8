"""What pricing reads from the database: the rate book and every account's approved plan
versions, as plain values (no ORM object per account), so a whole council loads quickly."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ..core.money import from_pence
from ..extensions import db
from .budgets import LineKind, LineSpec
from .lifecycles import BudgetStatus
from .models import Budget, BudgetLine, ProviderRate, RateRow
from .pricing import PlanTerms, PlanVersion
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


def load_plans(account_ids: set[int] | None = None) -> dict[int, tuple[PlanVersion, ...]]:
    """Account id -> its approved plan versions, oldest first. Equal lines, versions and sets
    of versions are one object each (see PlanVersion), built once however many accounts share
    them: a council has many budgets but few distinct ones."""
    query = (
        select(
            Budget.account_id,
            Budget.id,
            Budget.effective_from,
            Budget.weekly_contribution_pence,
            Budget.contribution_basis,
            BudgetLine.kind,
            BudgetLine.description,
            BudgetLine.hours_hundredths,
            BudgetLine.amount_pence,
            BudgetLine.provider_id,
        )
        .outerjoin(BudgetLine, BudgetLine.budget_id == Budget.id)
        .where(Budget.status == BudgetStatus.APPROVED)
        .order_by(Budget.account_id, Budget.effective_from, Budget.version, BudgetLine.id)
    )
    if account_ids is not None:
        query = query.where(Budget.account_id.in_(account_ids))
    return _Interned().plans(db.session.connection().execute(query).all())


class _Interned:
    """One object per distinct line, terms and set of versions."""

    def __init__(self):
        self.kinds = {kind.value: kind for kind in LineKind}
        self.specs: dict[tuple, LineSpec] = {}
        self.terms: dict[tuple, PlanTerms] = {}
        self.sets: dict[tuple, tuple[PlanVersion, ...]] = {}
        self.pounds: dict[int, Decimal] = {}

    def plans(self, rows) -> dict[int, tuple[PlanVersion, ...]]:
        """From rows ordered by account, version and line (one row per line). A plain loop:
        this runs once per budget line of the whole council."""
        plans: dict[int, tuple[PlanVersion, ...]] = {}
        specs, sets = self.specs, self.sets
        account = budget = None
        versions: list[PlanVersion] = []
        lines: list[LineSpec] = []
        head = ()
        for account_id, budget_id, start, pence, basis, kind, text, hours, amount, org in rows:
            if budget_id != budget:
                if budget is not None:
                    versions.append(self.version(*head, lines))
                if account_id != account:
                    if account is not None:
                        key = tuple(versions)
                        plans[account] = sets.setdefault(key, key)
                    account, versions = account_id, []
                budget, head, lines = budget_id, (start, pence, basis), []
            if kind is not None:
                key = (kind, text, hours, amount, org)
                lines.append(specs.get(key) or self.spec(key))
        if budget is not None:
            versions.append(self.version(*head, lines))
            key = tuple(versions)
            plans[account] = sets.setdefault(key, key)
        return plans

    def version(self, start, pence: int, basis: str, lines: list[LineSpec]) -> PlanVersion:
        key = (pence, basis, *lines)
        terms = self.terms.get(key)
        if terms is None:
            if pence not in self.pounds:
                self.pounds[pence] = from_pence(pence)
            terms = self.terms[key] = PlanTerms(tuple(lines), self.pounds[pence], basis)
        return PlanVersion(start, terms)

    def spec(self, raw: tuple) -> LineSpec:
        kind, description, hours, amount, provider = raw
        spec = self.specs[raw] = LineSpec(
            self.kinds[kind],
            description,
            Decimal(hours) / 100 if hours is not None else None,
            from_pence(amount) if amount is not None else None,
            provider,
        )
        return spec
