"""Budgets in a dry run: each row a budget from its start date, checked with the budget form
and the rules every proposal keeps (payments/services.weekly_for_proposal, priced at the rates
in force that day). An import never changes an approved budget: a row that differs from the
account's budget for that start date becomes a new version, proposed for another officer's
approval, as the budget form proposes one. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..core.bank_values import CellError, parse_bank_date
from ..core.errors import RuleError
from ..core.money import format_money, from_pence, round_money
from ..extensions import db
from ..payments.lifecycles import BudgetStatus
from ..payments.models import Budget
from ..payments.services import line_specs, weekly_for_proposal
from .fields import Kind
from .plan import Context, Ref, Rows, chunks, keyed_rows, reference
from .plan_accounts import accounts_for
from .plan_money import no_account, with_reason
from .report import Action
from .rows import RowReader

PROPOSED = "a new version, proposed for another officer's approval"


@dataclass(frozen=True)
class AccountFacts:
    """What the budget rules read of an account this import would create."""

    start_date: date
    sds_option: int


def _start(cells: dict[str, str]) -> object:
    """A row's start date for matching (the text itself when it is not a date: the form
    will say so)."""
    text = (cells.get("effective_from") or "").strip()
    try:
        return parse_bank_date(text)
    except CellError:
        return text


def _key(cells: dict[str, str]) -> tuple[str, object]:
    return reference(cells["account_reference"]), _start(cells)


def _budgets(account_ids: list[int]) -> dict[tuple[int, date], Budget]:
    """The newest version not rejected of each account's budget for each start date."""
    found: dict[tuple[int, date], Budget] = {}
    for batch in chunks(sorted(account_ids)):
        query = (
            select(Budget)
            .where(Budget.account_id.in_(batch), Budget.status != BudgetStatus.REJECTED)
            .order_by(Budget.version)
        )
        for budget in db.session.execute(query).scalars():
            found[(budget.account_id, budget.effective_from)] = budget
    return found


def _same(budget: Budget, data: dict) -> bool:
    def shape(specs) -> list[tuple]:
        return [
            (s.kind, s.description, s.hours, s.amount, s.provider_id, s.service_type) for s in specs
        ]

    return (
        shape(line_specs(budget)) == shape(data["lines"])
        and budget.weekly_contribution == data["weekly_contribution"]
        and budget.contribution_basis == data["contribution_basis"]
    )


def _provider(ctx: Context, number: int, given: dict, names: dict[str, int]) -> bool:
    """The provider named in the row, as the form's choice of provider (False when no
    provider has that name)."""
    name = (given.get("provider") or "").strip()
    if not name:
        return True
    found = names.get(name.casefold())
    if found is None:
        ctx.problem(
            Kind.BUDGETS,
            number,
            "provider",
            f"provider {name} is not one we know: check the name on the providers page",
        )
        return False
    given["provider"] = str(found)
    return True


def _weekly(ctx: Context, number: int, target: Ref, data: dict):
    """The weekly amount the budget comes to on its start date, after the proposal rules;
    None after reporting a rule it breaks (or when its account is not readable itself)."""
    account = AccountFacts(**target.facts) if target.facts else target.obj
    if account is None:
        return None
    try:
        return round_money(
            weekly_for_proposal(account, data["effective_from"], data["lines"], ctx.book)
        )
    except RuleError as exc:
        ctx.problem(Kind.BUDGETS, number, "effective_from", str(exc))
        return None


def plan_budgets(ctx: Context, rows: Rows) -> None:
    kind = Kind.BUDGETS
    rows = keyed_rows(ctx, kind, rows, _key)
    accounts = accounts_for(ctx, {_key(c)[0] for _, c in rows})
    held = [accounts.get(_key(c)[0]) for _, c in rows]
    versions = _budgets([r.obj.id for r in held if r is not None and r.obj is not None])
    names = {name.casefold(): org_id for org_id, name in ctx.providers.items()}
    reader = RowReader(kind, providers=ctx.providers)
    for number, cells in rows:
        key = reference(cells["account_reference"])
        target = accounts.get(key)
        if target is None:
            ctx.problem(kind, number, "account_reference", no_account(key))
            continue
        given = with_reason(ctx, cells)
        if not _provider(ctx, number, given, names):
            continue
        read = reader.read(given)
        for name, message in read.problems:
            ctx.problem(kind, number, name, message)
        weekly = None if read.problems else _weekly(ctx, number, target, read.data)
        if weekly is None:
            continue
        data = read.data
        shown = f"{key} from {data['effective_from']:%d/%m/%Y}"
        same_day = versions.get((target.obj.id, data["effective_from"])) if target.obj else None
        if same_day is not None and _same(same_day, data):
            waiting = same_day.status == BudgetStatus.PROPOSED
            note = "already waiting for approval" if waiting else ""
            ctx.outcome(kind, number, shown, Action.UNCHANGED, note=note)
            continue
        before = format_money(from_pence(same_day.weekly_at_proposal_pence)) if same_day else ""
        action = Action.CREATE if same_day is None else Action.UPDATE
        changes = [("weekly amount", before, format_money(weekly))]
        ctx.outcome(kind, number, shown, action, changes, PROPOSED)
        ctx.step(kind, action, number, target, data, key)
