"""Proposing a new budget from the one in force: the form opens with the current budget's lines,
and before anything is saved the officer sees the current and the new budget side by side
(each week, every 4 weeks, each year). Nothing here writes; proposing is
services.propose_budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..accounts.models import Account
from ..core.money import from_pence, round_money
from .budgets import LineKind, LineSpec
from .models import Budget
from .services import approved_budget_on, budget_summary, line_specs, weekly_for_proposal

# The form's fields for each kind of line (the form asks for one line of each kind).
_FIELDS = {
    LineKind.PA_HOURS: ("pa_hours", "pa_description"),
    LineKind.PROVIDER_HOURS: ("provider_hours", None),
    LineKind.FIXED_WEEKLY: ("weekly_amount", "weekly_description"),
    LineKind.FIXED_ANNUAL: ("annual_amount", "annual_description"),
}


def prefill(account: Account, today: date) -> dict[str, Any]:
    """The budget form's answers from the approved budget in force today (or, when none has
    started yet, the latest approved one), so a change starts from what the person has."""
    budget = approved_budget_on(account.id, today) or approved_budget_on(account.id, date.max)
    if budget is None:
        return {}
    data: dict[str, Any] = {
        "weekly_contribution": from_pence(budget.weekly_contribution_pence),
        "contribution_basis": budget.contribution_basis,
    }
    for spec in line_specs(budget):
        amount_field, description_field = _FIELDS[spec.kind]
        data[amount_field] = spec.hours if spec.hours is not None else spec.amount
        if description_field:
            data[description_field] = spec.description
        if spec.kind == LineKind.PROVIDER_HOURS:
            data["provider_id"] = spec.provider_id
            data["provider_service"] = spec.service_type
    return data


@dataclass(frozen=True)
class Amounts:
    weekly: Decimal

    @property
    def four_weekly(self) -> Decimal:
        return round_money(self.weekly * 4)

    @property
    def yearly(self) -> Decimal:
        return round_money(self.weekly * 52)


@dataclass(frozen=True)
class BudgetComparison:
    """The budget the proposal replaces on its start date, and the proposal, priced on that
    day at the rates in force then."""

    day: date
    current: Budget | None
    old: Amounts | None  # None: no budget in force that day (or a rate it needs is missing)
    new: Amounts

    def difference(self, period: str) -> Decimal:
        new = getattr(self.new, period)
        return new - (getattr(self.old, period) if self.old else Decimal(0))


def compare(account: Account, effective_from: date, lines: list[LineSpec]) -> BudgetComparison:
    """Raises RuleError when the proposal breaks a rule (as proposing would)."""
    new = Amounts(round_money(weekly_for_proposal(account, effective_from, lines)))
    current = approved_budget_on(account.id, effective_from)
    summary = budget_summary(current, effective_from) if current is not None else None
    old = Amounts(round_money(summary.weekly)) if summary is not None else None
    return BudgetComparison(effective_from, current, old, new)
