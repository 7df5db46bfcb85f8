"""The scoped loader for returns, their evidence, return periods and escalation tasks. Each
is opened through its account, so accounts.scope decides who sees it and who may change it
(a view-only mandate sees a return but cannot fill one in or add evidence to it)."""

from __future__ import annotations

from datetime import date

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..accounts.scope import Need
from ..auth.models import Role
from ..core.errors import NotFound
from ..core.permissions import Viewer
from ..extensions import db
from .models import EscalationTask, Evidence, MonitoringReturn
from .periods import ReturnPeriod

TASK_ROLES = frozenset({Role.FINANCE_OFFICER})
# Who fills in and sends returns: the person or their representative, organisation staff with
# a "manage the money" mandate, and finance officers on someone's behalf.
SUBMITTERS = (Role.RECIPIENT, Role.BROKERAGE_STAFF, Role.FINANCE_OFFICER)


def load_return(viewer: Viewer, return_id: int, need: Need = Need.VIEW) -> MonitoringReturn:
    return account_scope.load_through_account(viewer, MonitoringReturn, return_id, need)


def load_evidence(viewer: Viewer, evidence_id: int, need: Need = Need.VIEW) -> Evidence:
    return account_scope.load_through_account(viewer, Evidence, evidence_id, need)


def load_period(
    viewer: Viewer, account_id: int, start: str, need: Need = Need.VIEW
) -> tuple[Account, ReturnPeriod]:
    """An account's return period named by its start date (as in the address bar)."""
    from .tiers import period_for

    account = account_scope.load_account(viewer, account_id, need)
    try:
        day = date.fromisoformat(start)
    except ValueError as exc:
        raise NotFound(f"period {start!r}") from exc
    period = period_for(account, day, viewer.today)
    if period is None:
        raise NotFound(f"period {start!r}")
    return account, period


def load_task(viewer: Viewer, task_id: int) -> EscalationTask:
    task = db.session.get(EscalationTask, task_id) if viewer.role in TASK_ROLES else None
    if task is None:
        raise NotFound(f"escalation task {task_id}")
    return task
