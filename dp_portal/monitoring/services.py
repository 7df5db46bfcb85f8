"""What monitoring offers the home pages (read only): for finance officers, the review queue
by age, flagged returns and escalations to decide, each counted with the very query of the
list it links to; for a person, each account's returns that need them. Never writes."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import Account
from ..auth.models import Role
from ..core.pagination import count_rows
from ..core.permissions import Viewer
from ..core.tasks import Group, Task
from .escalations import tasks as escalation_tasks
from .forecast import Outlook
from .forecast_models import ForecastSummary
from .lifecycle import ReturnStatus, TaskStatus
from .review import QueueFilters, queue
from .tiers import overview

# The queue's own age filter (monitoring/forms.QueueFilterForm): more than 2 and 4 weeks.
AGES = (
    (14, "Returns waiting for review more than 2 weeks"),
    (28, "Returns waiting for review more than 4 weeks"),
)


def _queue_task(label: str, filters: QueueFilters, viewer: Viewer, args: dict, urgent=False):
    return Task(
        label,
        count_rows(queue(filters, viewer.today)),
        "monitoring.queue",
        args,
        urgent=urgent,
        group=Group.RETURNS,
    )


def home_tasks(viewer: Viewer) -> list[Task]:
    """Monitoring's part of a finance officer's home page."""
    if viewer.role != Role.FINANCE_OFFICER:
        return []
    tasks = [_queue_task("Returns waiting for review", QueueFilters(), viewer, {})]
    tasks += [
        _queue_task(label, QueueFilters(older_than_days=days), viewer, {"age": days}, days > 14)
        for days, label in AGES
    ]
    tasks.append(
        _queue_task(
            "Returns with flags waiting for review",
            QueueFilters(flagged="flagged"),
            viewer,
            {"flagged": "flagged"},
        )
    )
    tasks.append(
        Task(
            "Escalations waiting for your decision",
            count_rows(escalation_tasks(TaskStatus.OPEN)),
            "monitoring.escalation_queue",
            {"status": TaskStatus.OPEN.value},
            urgent=True,
            group=Group.RETURNS,
        )
    )
    tasks += [
        Task(
            label,
            count_rows(select(ForecastSummary).where(ForecastSummary.outlook == outlook)),
            "monitoring.forecast_watch",
            {"show": outlook.value},
            urgent=outlook == Outlook.OVERSPEND,
            group=Group.MONEY,
        )
        for outlook, label in (
            (Outlook.OVERSPEND, "Accounts likely to run out of money before 31 March"),
            (Outlook.UNDERSPEND, "Accounts likely to keep more than they may at 31 March"),
        )
    ]
    return tasks


def account_tasks(viewer: Viewer, account: Account) -> list[Task]:
    """An account's returns that need its person (or whoever fills them in): any queried or
    overdue, with a button to each, and the next one due."""
    rows = overview(viewer, account).rows  # newest period first; one account's periods
    tasks = []
    for row in reversed(rows):
        status = row.latest.status if row.latest is not None else None
        args = {"account_id": account.id, "start": row.period.start.isoformat()}
        if status == ReturnStatus.QUERIED:
            label, note = "We have asked a question about your return", "Answer the question"
        elif status in (None, ReturnStatus.DRAFT) and row.period.due < viewer.today:
            label, note = "Your return is late", "Fill in your return"
        else:
            continue
        tasks.append(
            Task(
                label,
                1,
                "monitoring.return_form",
                args,
                urgent=True,
                group=Group.RETURNS,
                day=row.period.due,
                note=note,
            )
        )
    upcoming = [
        row
        for row in rows
        if row.latest is None or row.latest.status == ReturnStatus.DRAFT
        if row.period.due >= viewer.today
    ]
    if upcoming:
        row = upcoming[-1]  # the soonest due
        tasks.append(
            Task(
                "Next return due",
                1,
                "monitoring.return_form",
                {"account_id": account.id, "start": row.period.start.isoformat()},
                group=Group.RETURNS,
                day=row.period.due,
                note="Start a draft" if row.period.end >= viewer.today else "Fill in your return",
            )
        )
    return tasks
