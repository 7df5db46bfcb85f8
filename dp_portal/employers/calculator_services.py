"""The PA cost calculator as a use case: the rates for the date, the calculation, and, for a
signed-in recipient, how it compares with the PA part of their approved budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..accounts.scope import Need
from ..core.errors import RuleError
from ..core.money import ZERO, round_money
from ..core.permissions import Viewer
from ..extensions import db
from ..payments import services as payments
from ..payments.budgets import LineKind
from .calculator_forms import CalculatorQuery
from .cost_rates import rates_on, source_notes
from .pa_costs import CostResult, calculate

MAX_ACCOUNTS = 10


@dataclass(frozen=True)
class BudgetComparison:
    """The calculated cost beside the PA hours in the account's approved budget."""

    account: Account
    budget_from: date | None
    weekly: Decimal | None  # the budget's PA hours a week, priced on the day; None: no budget
    yearly: Decimal | None
    weekly_difference: Decimal  # budget - cost (negative: the budget falls short)
    yearly_difference: Decimal
    may_tick: bool  # whether the reader keeps this account's employer checklist

    @property
    def covers(self) -> bool:
        return self.weekly is not None and self.weekly_difference >= ZERO


@dataclass(frozen=True)
class CalculatorPage:
    result: CostResult
    comparisons: list[BudgetComparison]
    sources: list[tuple[str, str]]


def calculator_page(query: CalculatorQuery, reader: Viewer | None) -> CalculatorPage | None:
    """The answer to a query whose inputs could be read; None (with the problems added to the
    query) when they could not, or when the date's tax year has no rates on file."""
    rates = None
    if query.day is not None:
        try:
            rates = rates_on(query.day)
        except RuleError as exc:
            query.add_problem("on", "on", str(exc))
    inputs = query.parsed
    if inputs is None or rates is None:
        return None
    result = calculate(inputs, rates)
    comparisons = budget_comparisons(reader, result) if reader is not None else []
    return CalculatorPage(result, comparisons, source_notes(inputs.on))


def pa_budget_weekly(account_id: int, day: date) -> tuple[Decimal, date] | None:
    """The weekly amount for PA hours in the approved budget in force on `day` (to the penny,
    as shown on the budget page), and the budget's date; None without one, or without a
    rate to price it on that day."""
    budget = payments.approved_budget_on(account_id, day)
    if budget is None:
        return None
    try:
        priced = payments.price_budget(budget, payments.rate_book(), day)
    except LookupError:
        return None
    weekly = sum((p.weekly for p in priced if p.spec.kind == LineKind.PA_HOURS), ZERO)
    return round_money(weekly), budget.effective_from


def budget_comparisons(reader: Viewer, result: CostResult) -> list[BudgetComparison]:
    accounts = (
        db.session.execute(account_scope.visible_accounts(reader).limit(MAX_ACCOUNTS))
        .scalars()
        .all()
    )
    comparisons = []
    weeks = result.weeks
    for account in accounts:
        found = pa_budget_weekly(account.id, result.inputs.on)
        weekly, start = found if found else (None, None)
        yearly = None if weekly is None else weekly * weeks
        comparisons.append(
            BudgetComparison(
                account=account,
                budget_from=start,
                weekly=weekly,
                yearly=yearly,
                weekly_difference=(weekly or ZERO) - result.total_weekly.amount,
                yearly_difference=(yearly or ZERO) - result.total_yearly.amount,
                may_tick=account_scope.allows(reader, account.id, Need.EMPLOYER),
            )
        )
    return comparisons
