"""Each role's home page: what needs doing, put together from what each package offers
(`home_tasks(viewer)` in its services, core/tasks.Task), and the health check's question to
the database. Every figure is counted in SQL by the package that owns it; nothing here
imports reports. Never writes."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..accounts import scope
from ..accounts import services as accounts
from ..accounts.models import Account
from ..admin import services as admin
from ..auth.models import Role
from ..core.permissions import Viewer
from ..core.tasks import Group, Task
from ..employers import services as employers
from ..extensions import db
from ..monitoring import services as monitoring
from ..monitoring.forecast_services import HomeLine, forecast_summary
from ..payments import home as payments_home
from ..payments import services as payments
from ..third_party import services as third_party

# A person or organisation sees their accounts on the home page; past this many, the list
# page (with search) takes over.
HOME_ACCOUNTS = 200
# A person's home shows what needs doing on each account up to this many (a representative
# of a family, say); beyond it, the list of accounts alone.
DETAILED_ACCOUNTS = 4
# The budgets to decide listed on a home page, each with the old and new amounts.
BUDGETS_SHOWN = 10

# Who offers home tasks, in the order they are listed within each group.
PROVIDERS = (payments, monitoring, accounts, third_party, employers, admin)


def home_accounts(viewer: Viewer) -> list[Account]:
    """The accounts a person or organisation sees on their home page."""
    query = scope.visible_accounts(viewer).limit(HOME_ACCOUNTS)
    return list(db.session.execute(query).scalars())


def account_counts(viewer: Viewer) -> dict[str, int]:
    """How many accounts the viewer sees, by status (the staff dashboard)."""
    return scope.status_counts(viewer)


@dataclass(frozen=True)
class StaffHome:
    groups: list[tuple[Group, list[Task]]]  # every task, under the navigation's headings
    urgent: list[Task]  # the ones needing action first, with something waiting
    budgets: list[payments_home.BudgetChange]  # budgets this officer may decide
    counts: dict[str, int] = field(default_factory=dict)  # accounts by status

    @property
    def nothing_waiting(self) -> bool:
        return all(task.count == 0 for _, tasks in self.groups for task in tasks)


def staff_home(viewer: Viewer) -> StaffHome:
    """A council officer's home: every package's tasks for their role, grouped."""
    tasks = [task for provider in PROVIDERS for task in provider.home_tasks(viewer)]
    groups = [(g, [t for t in tasks if t.group == g]) for g in Group]
    decides = viewer.role in (Role.FINANCE_OFFICER, Role.TEAM_LEADER)
    return StaffHome(
        groups=[(g, listed) for g, listed in groups if listed],
        urgent=[t for t in tasks if t.urgent and t.count],
        budgets=payments_home.budgets_to_decide(viewer, BUDGETS_SHOWN) if decides else [],
        counts=account_counts(viewer),
    )


@dataclass(frozen=True)
class AccountHome:
    """What one of a person's accounts needs from them, and where each figure comes from."""

    account: Account
    payment: Task | None  # the next payment (or the last one paid)
    returns: list[Task]  # queried or late returns first, then the next one due
    letters: Task
    checklist: list[Task]  # only when they employ PAs
    forecast: HomeLine  # where the balance is heading by the end of the financial year


def person_home(viewer: Viewer) -> tuple[list[Account], list[AccountHome]]:
    """A person's (or representative's) accounts, and what each needs, for the first few."""
    accounts_seen = home_accounts(viewer)
    since = viewer.user.previous_sign_in_at
    detailed = []
    for account in accounts_seen[:DETAILED_ACCOUNTS]:
        employer = employers.employs_pas(account.id)
        detailed.append(
            AccountHome(
                account=account,
                payment=payments_home.next_payment(account.id, viewer.today),
                returns=monitoring.account_tasks(viewer, account),
                letters=payments_home.letters_since(account.id, since),
                checklist=employers.account_tasks(account.id, viewer.today, employer),
                forecast=forecast_summary(viewer, account),
            )
        )
    return accounts_seen, detailed


def database_answers() -> bool:
    """Whether the database answers: False, never an exception, when it does not, so the
    health check says "503, try again" rather than showing the error page as if the app had
    failed (docs/deployment.md)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        # If the connection is gone, the rollback fails too; the pool replaces it next time.
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        return False
    return True
