"""What the PA employers' part offers the home pages (read only, counts in SQL): Charter Mark
applications to review, handbook drafts and next tax year's employer cost figures for
administrators, and a PA employer's checklist items that need doing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select

from ..auth.models import Role
from ..core.pagination import count_rows
from ..core.permissions import Viewer
from ..core.tasks import Group, Task
from ..extensions import db
from ..payments.budgets import LineKind
from ..payments.lifecycles import BudgetStatus
from ..payments.models import Budget, BudgetLine
from .charter_review import REVIEWERS
from .charter_rules import Status
from .checklist import State
from .checklist_services import checklist_for
from .models import Application, ChecklistTick, CostRate, HandbookVersion

# Next tax year's figures are asked for this long before 6 April (HMRC publishes them in
# the autumn Budget and confirms them by January).
COST_FIGURES_NOTICE = timedelta(days=90)


def next_tax_year(today: date) -> date:
    """6 April after today: the day next tax year's figures are needed."""
    start = date(today.year, 4, 6)
    return start if start > today else date(today.year + 1, 4, 6)


def _admin_tasks(today: date) -> list[Task]:
    drafts = (
        select(HandbookVersion.section_id).where(HandbookVersion.published_at.is_(None)).distinct()
    )
    starts = next_tax_year(today)
    ready = select(CostRate.id).where(CostRate.effective_from >= starts)
    due = starts - today <= COST_FIGURES_NOTICE and count_rows(ready) == 0
    return [
        Task(
            "Handbook sections with a draft not published",
            count_rows(drafts),
            "employers.handbook_admin",
            group=Group.SETTINGS,
        ),
        Task(
            f"Employer cost figures from {starts.day} April {starts.year}",
            int(due),
            "employers.cost_rates",
            urgent=True,
            group=Group.SETTINGS,
            day=starts,
            note="not added yet",
        ),
    ]


def home_tasks(viewer: Viewer) -> list[Task]:
    """Employers' part of a council officer's home page."""
    if viewer.role in REVIEWERS:
        waiting = select(Application.id).where(
            Application.status == Status.SUBMITTED, Application.tier == "holder"
        )
        return [
            Task(
                "Charter Mark applications waiting for review",
                count_rows(waiting),
                "employers.charter_queue",
                group=Group.PEOPLE,
            )
        ]
    if viewer.role == Role.ADMIN:
        return _admin_tasks(viewer.today)
    return []


def employs_pas(account_id: int) -> bool:
    """Whether the person employs PAs: an approved budget pays for PA hours, or they have
    started the employer checklist."""
    pa_hours = (
        select(BudgetLine.id)
        .join(Budget, Budget.id == BudgetLine.budget_id)
        .where(
            Budget.account_id == account_id,
            Budget.status == BudgetStatus.APPROVED,
            BudgetLine.kind == LineKind.PA_HOURS,
        )
    )
    ticks = select(ChecklistTick.id).where(ChecklistTick.account_id == account_id)
    either = select(exists(pa_hours) | exists(ticks))
    return bool(db.session.execute(either).scalar())


def account_tasks(account_id: int, today: date, employer: bool) -> list[Task]:
    """A PA employer's checklist items not done, due for renewal or lapsed (9 items at most)."""
    if not employer:
        return []
    items = checklist_for(account_id, today)
    due = [i for i in items if i.state != State.DONE]
    return [
        Task(
            "Employer checklist items to do",
            len(due),
            "employers.checklist",
            {"account_id": account_id},
            urgent=any(i.state == State.LAPSED for i in due),
            group=Group.PEOPLE,
        )
    ]
