"""The scoped loader for payments, budgets and payment runs. A payment or budget is opened
through its account (accounts.scope decides who sees that); a payment run holds everyone's
money, so only finance officers open one."""

from __future__ import annotations

from ..accounts import scope as account_scope
from ..auth.models import Role
from ..core.errors import NotFound
from ..core.permissions import Viewer
from ..extensions import db
from ..third_party.models import Organisation
from .ledger_models import Payment
from .models import Budget
from .run_models import PaymentRun

RUN_ROLES = frozenset({Role.FINANCE_OFFICER})


def load_payment(viewer: Viewer, payment_id: int) -> Payment:
    return account_scope.load_through_account(viewer, Payment, payment_id)


def load_budget(viewer: Viewer, budget_id: int) -> Budget:
    return account_scope.load_through_account(viewer, Budget, budget_id)


def load_run(viewer: Viewer, run_id: int) -> PaymentRun:
    run = db.session.get(PaymentRun, run_id) if viewer.role in RUN_ROLES else None
    if run is None:
        raise NotFound(f"payment run {run_id}")
    return run


def load_provider(viewer: Viewer, org_id: int) -> Organisation:
    """A care provider (its rates are public to staff; no person's data hangs off it)."""
    org = db.session.get(Organisation, org_id) if account_scope.sees_whole_book(viewer) else None
    if org is None or org.kind != "provider":
        raise NotFound(f"provider {org_id}")
    return org
