"""Applying a dry run's plan: each step through the service an officer's form would call
(accounts/services, accounts/bank_changes, payments/services), so every change has the same
rules and the same audit rows as if it had been typed. Never commits: the whole import is one
transaction, and its caller decides what becomes of it."""

from __future__ import annotations

from collections.abc import Callable

from ..accounts import services as accounts
from ..accounts.bank_changes import NeedsConfirmation, request_change
from ..core import audit
from ..core.errors import RuleError
from ..extensions import db
from ..payments.services import propose_budget
from .fields import Kind
from .models import ImportReference
from .plan import Context, Step
from .report import Action

C, U = Action.CREATE.value, Action.UPDATE.value


def _link(ctx: Context, step: Step, account, import_id: int | None) -> None:
    """Remember the account's case-management reference, so the next import finds it."""
    db.session.add(ImportReference(reference=step.key, account_id=account.id, import_id=import_id))
    audit.record(
        ctx.actor,
        "import.account_linked",
        account,
        account_id=account.id,
        summary=f"Case-management reference {step.key} is account {account.reference}",
        after={"reference": step.key, "import": import_id},
    )


def _create_person(ctx: Context, step: Step, _import_id) -> None:
    step.target.obj = accounts.create_person(step.data, actor=ctx.actor)


def _update_person(ctx: Context, step: Step, _import_id) -> None:
    accounts.update_person(step.target.obj, step.data, actor=ctx.actor)


def _add_representative(ctx: Context, step: Step, _import_id) -> None:
    accounts.add_representative(step.target.obj, step.data, actor=ctx.actor)


def _update_representative(ctx: Context, step: Step, _import_id) -> None:
    accounts.update_representative(step.target.obj, step.data, actor=ctx.actor)


def _create_account(ctx: Context, step: Step, import_id) -> None:
    account = accounts.create_account(step.target.obj, step.data, actor=ctx.actor)
    ctx.accounts[step.key].obj = account
    _link(ctx, step, account, import_id)


def _update_account(ctx: Context, step: Step, import_id) -> None:
    accounts.update_account(step.target.obj, step.data, actor=ctx.actor)
    if step.key:
        _link(ctx, step, step.target.obj, import_id)


def _request_bank_change(ctx: Context, step: Step, _import_id) -> None:
    outcome = request_change(
        step.target.obj,
        step.data["proposed"],
        confirmed=step.data["confirmed"],
        tables=ctx.tables,
        actor=ctx.actor,
    )
    if isinstance(outcome, NeedsConfirmation):  # the dry run confirmed it: never expected
        raise RuleError("The bank details changed between the check and applying")


def _propose_budget(ctx: Context, step: Step, _import_id) -> None:
    data = step.data
    propose_budget(
        step.target.obj,
        effective_from=data["effective_from"],
        lines=data["lines"],
        weekly_contribution=data["weekly_contribution"],
        contribution_basis=data["contribution_basis"],
        reason=data["reason"],
        actor=ctx.actor,
        book=ctx.book,
    )


WRITERS: dict[tuple[Kind, str], Callable[[Context, Step, int | None], None]] = {
    (Kind.PEOPLE, C): _create_person,
    (Kind.PEOPLE, U): _update_person,
    (Kind.REPRESENTATIVES, C): _add_representative,
    (Kind.REPRESENTATIVES, U): _update_representative,
    (Kind.ACCOUNTS, C): _create_account,
    (Kind.ACCOUNTS, U): _update_account,
    (Kind.BANK_DETAILS, C): _request_bank_change,
    (Kind.BANK_DETAILS, U): _request_bank_change,
    (Kind.BUDGETS, C): _propose_budget,
    (Kind.BUDGETS, U): _propose_budget,
}


def execute(ctx: Context, import_id: int | None) -> None:
    """Take every step of the plan, in order (people before their accounts, accounts before
    their bank details and budgets)."""
    for step in ctx.steps:
        WRITERS[(step.kind, step.action)](ctx, step, import_id)
