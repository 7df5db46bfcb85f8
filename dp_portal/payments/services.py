"""Rates and budgets: the use cases (add a rate, propose and decide a budget) and what their
pages show. Never commits: the request does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..accounts.models import Account
from ..auth.models import Role, User
from ..core import audit
from ..core.errors import RuleError
from ..core.money import from_pence, round_money, to_pence
from ..core.types import utcnow
from ..extensions import db
from ..third_party.models import Organisation
from .budgets import LineKind, LineSpec, PricedLine, price_lines, weekly_total
from .home import home_tasks  # noqa: F401 - the home pages read payments' tasks here
from .lifecycles import BudgetStatus, check, move
from .models import Budget, BudgetLine
from .plans import rate_book
from .rate_models import ProviderRate, RateRow
from .rates import RateBook, RateBreakdown, RateKind, ServiceType
from .recoveries import raise_recovery  # noqa: F401 - monitoring raises recoveries through here

# --- Rates ---------------------------------------------------------------------------------


def stored_value(kind: RateKind, value: Decimal) -> int:
    """Pence, or hundredths of a percent."""
    hundredths = value * 100
    if hundredths != hundredths.to_integral_value():
        raise RuleError("Enter the value to no more than 2 decimal places")
    return int(hundredths)


def add_rate_row(
    kind: RateKind, effective_from: date, value: Decimal, source_note: str, *, actor: User
) -> RateRow:
    row = RateRow(
        kind=str(kind),
        effective_from=effective_from,
        value=stored_value(kind, value),
        source_note=source_note,
        created_by_id=actor.id if actor else None,
    )
    return audit.add_dated_figure(
        row, actor=actor, action="rate.added", label=kind.label, value=value
    )


@dataclass(frozen=True)
class RatesPage:
    current: RateBreakdown | None
    upcoming: list[RateBreakdown | None]  # the next three dates a rate changes
    history: list[RateRow]  # every row, newest first (staff only)
    current_from: date | None = None  # the day the rate in force today started


def rates_page(today: date, *, staff: bool) -> RatesPage:
    book = rate_book()
    upcoming = sorted(d for d in book.change_dates() if d > today)
    history = (
        list(
            db.session.execute(
                select(RateRow).order_by(RateRow.effective_from.desc(), RateRow.id.desc())
            ).scalars()
        )
        if staff
        else []
    )
    started = [start for _, start, _, _ in book.rows if start <= today]
    return RatesPage(
        book.pa_rate_on(today),
        [book.pa_rate_on(d) for d in upcoming[:3]],
        history,
        max(started, default=None),
    )


def add_provider_rate(
    organisation_id: int,
    effective_from: date,
    hourly: Decimal,
    source_note: str,
    *,
    actor,
    service_type: str = ServiceType.DAY,
) -> ProviderRate:
    """An agreed rate for one kind of support, never below the pay floor's derived rate (the
    PA rate built on the living wage that day); uplifts raise every kind alike."""
    floor = rate_book().pa_rate_on(effective_from)
    if floor is None:
        raise RuleError("Set the living wage rate for this date before adding provider rates")
    if hourly < floor.total:
        raise RuleError(
            f"The rate must be at least {floor.total:.2f} pounds an hour: the personal "
            "assistant rate built on the living wage for that date"
        )
    row = ProviderRate(
        organisation_id=organisation_id,
        effective_from=effective_from,
        hourly_pence=to_pence(hourly),
        service_type=str(ServiceType(service_type)),
        source_note=source_note,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    audit.record(
        actor,
        "provider_rate.added",
        row,
        summary=f"Provider rate ({ServiceType(service_type).label.lower()}) {hourly} an hour "
        f"from {effective_from.isoformat()}",
        after={
            "organisation_id": organisation_id,
            "hourly": str(hourly),
            "service_type": str(service_type),
        },
    )
    return row


def provider_rates(organisation_id: int) -> list[ProviderRate]:
    return list(
        db.session.execute(
            select(ProviderRate)
            .where(ProviderRate.organisation_id == organisation_id)
            .order_by(ProviderRate.effective_from.desc(), ProviderRate.id.desc())
        ).scalars()
    )


# --- Budgets -------------------------------------------------------------------------------


def line_specs(budget: Budget) -> list[LineSpec]:
    return [
        LineSpec(
            LineKind(line.kind),
            line.description,
            line.hours,
            line.amount,
            line.provider_id,
            line.service_type or "day",
        )
        for line in budget.lines
    ]


def price_budget(budget: Budget, book: RateBook, day: date) -> list[PricedLine]:
    pa = book.pa_rate_on(day)
    return price_lines(
        line_specs(budget),
        pa.total if pa else None,
        lambda org, service: book.provider_rate_on(org, day, service),
    )


@dataclass(frozen=True)
class BudgetSummary:
    weekly: Decimal
    priced: list[PricedLine]

    @property
    def four_weekly(self) -> Decimal:
        return round_money(self.weekly * 4)

    @property
    def annual(self) -> Decimal:
        return round_money(self.weekly * 52)


def summarise(budget: Budget, book: RateBook, day: date) -> BudgetSummary:
    priced = price_budget(budget, book, day)
    return BudgetSummary(weekly_total(priced), priced)


def budget_summary(budget: Budget, day: date, book: RateBook | None = None) -> BudgetSummary | None:
    """The budget priced on `day`, or None when a rate it needs is not set for that day."""
    try:
        return summarise(budget, book or rate_book(), day)
    except LookupError:
        return None


def budget_on(versions: list[Budget], day: date) -> Budget | None:
    current = None
    for budget in versions:
        if budget.effective_from <= day:
            current = budget
    return current


def approved_budget_on(account_id: int, day: date) -> Budget | None:
    """The approved budget in force on `day` (the latest version of the latest start)."""
    approved = db.session.execute(
        select(Budget).where(
            Budget.account_id == account_id, Budget.status == BudgetStatus.APPROVED
        )
    ).scalars()
    return budget_on(sorted(approved, key=lambda b: (b.effective_from, b.version)), day)


@dataclass(frozen=True)
class BudgetPage:
    current: Budget | None  # in force on `day` (or the first, if none has started yet)
    summary: BudgetSummary | None
    day: date
    rate: RateBreakdown | None
    versions: list[Budget]  # newest first; staff see proposed and rejected ones too


def budget_page(account: Account, today: date, *, staff: bool) -> BudgetPage:
    book = rate_book()
    versions = list(
        db.session.execute(
            select(Budget).where(Budget.account_id == account.id).order_by(Budget.version.desc())
        ).scalars()
    )
    approved = [b for b in versions if b.status == BudgetStatus.APPROVED]
    current = budget_on(sorted(approved, key=lambda b: (b.effective_from, b.version)), today)
    if current is None and approved:
        current = min(approved, key=lambda b: b.effective_from)
    day = max(today, current.effective_from) if current else today
    summary = budget_summary(current, day, book) if current is not None else None
    return BudgetPage(current, summary, day, book.pa_rate_on(day), versions if staff else approved)


def providers() -> list[tuple[int, str]]:
    """Care providers a budget's provider hours may be bought from, by name."""
    return [
        (org_id, name)
        for org_id, name in db.session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.kind == "provider")
            .order_by(Organisation.name)
        )
    ]


def propose_budget(
    account: Account,
    *,
    effective_from: date,
    lines: list[LineSpec],
    weekly_contribution: Decimal,
    contribution_basis: str,
    reason: str,
    actor: User,
    book: RateBook | None = None,
) -> Budget:
    weekly = round_money(weekly_for_proposal(account, effective_from, lines, book))
    version = (
        db.session.execute(
            select(func.max(Budget.version)).where(Budget.account_id == account.id)
        ).scalar()
        or 0
    ) + 1
    budget = Budget(
        account_id=account.id,
        version=version,
        effective_from=effective_from,
        weekly_contribution_pence=to_pence(weekly_contribution),
        contribution_basis=contribution_basis,
        weekly_at_proposal_pence=to_pence(weekly),
        reason=reason,
        proposed_by_id=actor.id,
    )
    db.session.add(budget)
    db.session.flush()
    db.session.add_all(_budget_line(budget.id, line) for line in lines)
    audit.record(
        actor,
        "budget.proposed",
        budget,
        account_id=account.id,
        summary=f"Budget version {version} proposed from {effective_from:%d %B %Y}: "
        f"{weekly} a week",
        after={
            "version": version,
            "effective_from": effective_from.isoformat(),
            "weekly": str(weekly),
            "weekly_contribution": str(weekly_contribution),
            "contribution_basis": contribution_basis,
            "lines": [
                [line.kind.value, line.description, str(line.hours), str(line.amount)]
                for line in lines
            ],
        },
    )
    return budget


def weekly_for_proposal(
    account: Account, effective_from: date, lines: list[LineSpec], book: RateBook | None = None
) -> Decimal:
    """The weekly amount the proposal comes to on its first day (which decides who may approve
    it), after the rules every proposal must keep. A caller checking many proposals at once
    (a bulk import) passes the rate book it read once."""
    if not lines:
        raise RuleError("Add at least one line: hours or an amount")
    if effective_from < account.start_date:
        raise RuleError("The budget cannot start before the account starts")
    if account.sds_option == 1 and any(line.kind == LineKind.PROVIDER_HOURS for line in lines):
        raise RuleError("Provider hours are for Option 2 or Option 4 accounts")
    book = book or rate_book()
    pa = book.pa_rate_on(effective_from)
    try:
        return weekly_total(
            price_lines(
                lines,
                pa.total if pa else None,
                lambda org, service: book.provider_rate_on(org, effective_from, service),
            )
        )
    except LookupError as exc:
        raise RuleError(str(exc)) from exc


def _budget_line(budget_id: int, line: LineSpec) -> BudgetLine:
    return BudgetLine(
        budget_id=budget_id,
        kind=str(line.kind),
        description=line.description,
        hours_hundredths=int(line.hours * 100) if line.hours is not None else None,
        amount_pence=to_pence(line.amount) if line.amount is not None else None,
        provider_id=line.provider_id,
        service_type=line.service_type if line.kind == LineKind.PROVIDER_HOURS else None,
    )


def who_may_approve(budget: Budget, ceiling: Decimal) -> frozenset[Role]:
    """Team leaders up to the weekly ceiling (SDS Standard 8), finance officers above it."""
    if from_pence(budget.weekly_at_proposal_pence) <= ceiling:
        return frozenset({Role.TEAM_LEADER, Role.FINANCE_OFFICER})
    return frozenset({Role.FINANCE_OFFICER})


def decide_budget(
    budget: Budget, *, approve: bool, note: str, actor: User, ceiling: Decimal
) -> None:
    decision = BudgetStatus.APPROVED if approve else BudgetStatus.REJECTED
    check(budget.status, decision)
    if budget.proposed_by_id == actor.id:
        raise RuleError("You cannot decide a budget you proposed: another officer must")
    if approve and actor.role not in who_may_approve(budget, ceiling):
        raise RuleError(
            f"Budgets over {ceiling:.2f} pounds a week need a finance officer's approval"
        )
    move(budget, decision, decided_by_id=actor.id, decided_at=utcnow(), decision_note=note)
    audit.record(
        actor,
        "budget.approved" if approve else "budget.rejected",
        budget,
        account_id=budget.account_id,
        summary=f"Budget version {budget.version} {'approved' if approve else 'rejected'}",
        before={"status": "proposed"},
        after={"status": budget.status, "note": note},
    )


def pending_budgets() -> list[Budget]:
    return list(
        db.session.execute(
            select(Budget)
            .where(Budget.status == BudgetStatus.PROPOSED)
            .order_by(Budget.proposed_at)
        ).scalars()
    )
