"""What pricing reads from the database: the rate book and every account's approved plan
versions, as plain values (no ORM object per account), so a whole council loads quickly."""

from __future__ import annotations

import json
from decimal import Decimal
from operator import itemgetter

from sqlalchemy import Text, cast, func, select

from ..core.bulk import DaysRead, date_as_stored
from ..core.money import from_pence
from ..extensions import db
from .budgets import LineKind, LineSpec
from .lifecycles import BudgetStatus
from .models import Budget, BudgetLine
from .pricing import PlanTerms, PlanVersion
from .rate_models import ProviderRate, RateRow
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
            ProviderRate.service_type,
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
        tuple(
            (org, start, row_id, from_pence(pence), service)
            for org, start, row_id, pence, service in providers
        ),
    )


LINE_FIELDS = (
    BudgetLine.kind,
    BudgetLine.description,
    BudgetLine.hours_hundredths,
    BudgetLine.amount_pence,
    BudgetLine.provider_id,
    BudgetLine.service_type,
)


def load_plans(account_ids: set[int] | None = None) -> dict[int, tuple[PlanVersion, ...]]:
    """Account id -> its approved plan versions, oldest first. Equal lines, terms and versions
    are one object each (see PlanTerms), built once however many accounts share them: a
    council has many budgets but few distinct ones. Two plain scans, put together here: a
    join sorted by the database cost more than both."""
    budgets = select(
        Budget.account_id,
        date_as_stored(Budget.effective_from),  # made dates in plans(), once a day
        Budget.version,
        Budget.id,
        Budget.weekly_contribution_pence,
        Budget.contribution_basis,
    ).where(Budget.status == BudgetStatus.APPROVED)
    connection = db.session.connection()
    lines = select(BudgetLine.budget_id, _line_text(connection.dialect.name)).order_by(
        BudgetLine.id
    )
    if account_ids is not None:
        budgets = budgets.where(Budget.account_id.in_(account_ids))
        mine = select(Budget.id).where(Budget.account_id.in_(account_ids))
        lines = lines.where(BudgetLine.budget_id.in_(mine))
    interned = _Interned()
    by_budget = interned.line_texts(connection.execute(lines).all())
    rows = connection.execute(budgets).all()
    rows.sort(key=itemgetter(0, 1, 2))  # by account, then as its versions take effect
    return interned.plans(rows, by_budget)


def _line_text(dialect: str):
    """A budget line's six fields as one JSON array, made by the database. Equal lines are
    equal texts, so a council's 130,000 lines (about 250 distinct) are told apart by one hash
    each and only the first of each is parsed: fetching six values a line, each a new Python
    object, was most of the time reading them took."""
    if dialect == "postgresql":
        return cast(func.json_build_array(*LINE_FIELDS), Text)
    return func.json_array(*LINE_FIELDS)


def plans_of(account_id: int) -> tuple[PlanVersion, ...]:
    """One account's approved plan versions, oldest first, in one round trip (budgets joined
    to their lines): a return's reconcile asks this once per upload, and on PostgreSQL each
    round trip to the server costs more than the rows it brings."""
    rows = (
        db.session.connection()
        .execute(
            select(
                Budget.account_id,
                Budget.effective_from,
                Budget.version,
                Budget.id,
                Budget.weekly_contribution_pence,
                Budget.contribution_basis,
                *LINE_FIELDS,
            )
            .outerjoin(BudgetLine, BudgetLine.budget_id == Budget.id)
            .where(Budget.account_id == account_id, Budget.status == BudgetStatus.APPROVED)
            .order_by(BudgetLine.id)
        )
        .all()
    )
    interned = _Interned()
    # kind is never NULL on a line: NULL here is a budget with no lines (the outer join).
    by_budget = interned.lines([(row[3], *row[6:]) for row in rows if row[6] is not None])
    budgets = sorted({tuple(row[:6]) for row in rows}, key=itemgetter(0, 1, 2))
    return interned.plans(budgets, by_budget).get(account_id, ())


class _Interned:
    """One object per distinct line, terms and version."""

    def __init__(self):
        self.kinds = {kind.value: kind for kind in LineKind}
        self.specs: dict[tuple, LineSpec] = {}
        self.terms: dict[tuple, PlanTerms] = {}
        self.versions: dict[tuple, PlanVersion] = {}
        self.pounds: dict[int, Decimal] = {}

    def lines(self, rows) -> dict[int, list[LineSpec]]:
        """Budget id -> its lines, in order, from rows of (budget id, *LINE_FIELDS)."""
        return self._by_budget((budget_id, tuple(line)) for budget_id, *line in rows)

    def line_texts(self, rows) -> dict[int, list[LineSpec]]:
        """Budget id -> its lines, in order, from rows of (budget id, _line_text)."""
        return self._by_budget(rows, parse=json.loads)

    def _by_budget(self, rows, parse=None) -> dict[int, list[LineSpec]]:
        """Plain loops: these run once per budget line of the whole council."""
        by_budget: dict[int, list[LineSpec]] = {}
        specs = self.specs
        for budget_id, key in rows:
            spec = specs.get(key) or self.spec(key, parse(key) if parse else key)
            if budget_id in by_budget:
                by_budget[budget_id].append(spec)
            else:
                by_budget[budget_id] = [spec]
        return by_budget

    def plans(self, rows, by_budget: dict[int, list[LineSpec]]) -> dict[int, tuple]:
        """From budgets ordered by account and then as they take effect, in one pass. Equal
        sets of versions are equal tuples, not one object: a council's 100,000 accounts had
        45,530 distinct sets, and sharing them cost a pass that hashed every set."""
        plans: dict[int, tuple[PlanVersion, ...]] = {}
        versions, no_lines = self.versions, []
        days = DaysRead()  # a date (plans_of) or a date as stored (load_plans)
        for account_id, start, _version, budget_id, pence, basis in rows:
            lines = by_budget.get(budget_id, no_lines)
            # Keyed by the day as read: equal days read alike, and only a new version's day
            # is made a date (45,531 versions in a council's 100,001 budgets).
            key = (start, pence, basis, *lines)
            made = versions.get(key)
            if made is None:
                made = versions[key] = PlanVersion(
                    days[start], self.plan_terms(pence, basis, lines)
                )
            earlier = plans.get(account_id)
            plans[account_id] = (made,) if earlier is None else (*earlier, made)
        return plans

    def plan_terms(self, pence: int, basis: str, lines) -> PlanTerms:
        key = (pence, basis, *lines)
        terms = self.terms.get(key)
        if terms is None:
            if pence not in self.pounds:
                self.pounds[pence] = from_pence(pence)
            terms = self.terms[key] = PlanTerms(tuple(lines), self.pounds[pence], basis)
        return terms

    def spec(self, key, fields) -> LineSpec:
        kind, description, hours, amount, provider, service = fields
        spec = self.specs[key] = LineSpec(
            self.kinds[kind],
            description,
            Decimal(hours) / 100 if hours is not None else None,
            from_pence(amount) if amount is not None else None,
            provider,
            service or "day",
        )
        return spec
