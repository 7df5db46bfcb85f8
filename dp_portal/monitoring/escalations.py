"""Escalation: after the last reminder, a finance officer decides whether to suspend payments.

The reminder job opens a task when a return reaches an escalating stage. An officer suspends
the account (payment runs then withhold it, and a letter says why and how to restart it) or
closes the task without suspending; a suspended account is reinstated later, with a letter, and
the next run pays what was held back as arrears. Never commits: the request (or job) does.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, insert, select, update
from sqlalchemy.exc import OperationalError

from ..accounts.correspondents import correspondents
from ..accounts.models import Account, AccountStatus
from ..accounts.services import update_account
from ..auth.models import User
from ..core import audit
from ..core.errors import RuleError
from ..core.letters import letter_row, record_letters
from ..core.pagination import BoundedPage, bounded_page
from ..core.types import utcnow
from ..extensions import db
from .lifecycle import TASK, TaskStatus
from .models import EscalationTask, ReminderIssue

SUSPENSION_SUBJECT = "We have stopped your direct payments for now"
REINSTATEMENT_SUBJECT = "Your direct payments are starting again"
DECIDED = "This task has already been decided: another officer may have just decided it"
NOT_SUSPENDED = "Only a suspended account can be reinstated from this task"


def open_tasks(rows: list[dict]) -> None:
    """Open a task for each (account, period) reaching escalation. `rows` hold account_id,
    period_start, period_end, due_date and opened_on. The caller has just inserted the
    escalation reminders, whose unique key already stops a second task."""
    if rows:
        opened = [row | {"status": TaskStatus.OPEN.value} for row in rows]
        db.session.execute(insert(EscalationTask.__table__), opened)


def tasks(status: str) -> Select[tuple[EscalationTask]]:
    query = select(EscalationTask).order_by(EscalationTask.opened_on, EscalationTask.id)
    if status in EscalationTask.STATUSES:
        query = query.where(EscalationTask.status == status)
    return query


def task_page(status: str, page: int) -> BoundedPage:
    """One page (50) of the escalation queue: tasks with this status, oldest first."""
    return bounded_page(tasks(status), page)


def tasks_for_account(account_id: int) -> list[EscalationTask]:
    return list(
        db.session.execute(
            select(EscalationTask)
            .where(EscalationTask.account_id == account_id)
            .order_by(EscalationTask.id.desc())
        ).scalars()
    )


def _period_text(task: EscalationTask) -> str:
    return f"{task.period_start:%-d %B %Y} to {task.period_end:%-d %B %Y}"


def _letter(task: EscalationTask, kind: str, subject: str, letter_date: date) -> None:
    account = task.account
    record_letters(
        [
            letter_row(
                account_id=account.id,
                kind=kind,
                subject=subject,
                to=correspondents([account.id])[account.id],
                context={
                    "reference": account.reference,
                    "period_start": task.period_start.isoformat(),
                    "period_end": task.period_end.isoformat(),
                    "due": task.due_date.isoformat(),
                },
                letter_date=letter_date,
            )
        ]
    )


def _snapshot(task: EscalationTask) -> dict:
    return audit.snapshot(task, ["status", "outcome", "suspension_reason", "closing_note"])


def _record(task: EscalationTask, actor: User, action: str, summary: str, before: dict) -> None:
    audit.record(
        actor,
        action,
        task,
        account_id=task.account_id,
        summary=summary,
        before=before,
        after=_snapshot(task),
    )


def _move(task: EscalationTask, from_status: TaskStatus, to_status: TaskStatus, refusal: str):
    """Move the task along lifecycle.TASK, only if it is still `from_status` in the database:
    a conditional UPDATE, so that two officers deciding at once cannot both act (and send
    two letters)."""
    TASK.check(from_status, to_status, refusal)
    try:
        moved = db.session.execute(
            update(EscalationTask)
            .where(EscalationTask.id == task.id, EscalationTask.status == from_status)
            .values(status=to_status)
            .execution_options(synchronize_session=False)
        ).rowcount
    except OperationalError as exc:
        # SQLite refuses a second writer outright: someone is deciding at this very moment.
        raise RuleError(refusal) from exc
    if not moved:
        raise RuleError(refusal)
    task.status = to_status


def suspend(task: EscalationTask, *, reason: str, actor: User, today: date) -> None:
    """Suspend the account's payments: runs withhold it until it is reinstated."""
    account: Account = task.account
    if task.status == TaskStatus.OPEN and account.status != AccountStatus.ACTIVE:
        raise RuleError(
            f"The account is {account.status}, so there are no payments to suspend. "
            "Close the task instead."
        )
    before = _snapshot(task)
    _move(task, TaskStatus.OPEN, TaskStatus.SUSPENDED, DECIDED)
    update_account(account, {"status": AccountStatus.SUSPENDED.value}, actor=actor)
    task.suspension_reason = reason
    task.suspended_by_id, task.suspended_at = actor.id, utcnow()
    _letter(task, "suspension", SUSPENSION_SUBJECT, today)
    _record(
        task,
        actor,
        "escalation.suspended",
        f"Payments suspended: no return for {_period_text(task)}",
        before,
    )


def reinstate(task: EscalationTask, *, note: str, actor: User, today: date) -> None:
    """Start payments again; the next run pays what was withheld as arrears."""
    account: Account = task.account
    before = _snapshot(task)
    _move(task, TaskStatus.SUSPENDED, TaskStatus.CLOSED, NOT_SUSPENDED)
    if account.status == AccountStatus.CLOSED:
        # Closed meanwhile: nothing to restart, and no letter promising payments.
        task.outcome = "account_closed"
    else:
        if account.status == AccountStatus.SUSPENDED:  # (it may have been reactivated by hand)
            update_account(account, {"status": AccountStatus.ACTIVE.value}, actor=actor)
        _letter(task, "reinstatement", REINSTATEMENT_SUBJECT, today)
        task.outcome = "reinstated"
    task.closing_note = note
    task.closed_by_id, task.closed_at = actor.id, utcnow()
    _record(task, actor, "escalation.reinstated", f"Payments reinstated: {note}", before)


def close_without_suspending(task: EscalationTask, *, note: str, actor: User) -> None:
    before = _snapshot(task)
    _move(task, TaskStatus.OPEN, TaskStatus.CLOSED, DECIDED)
    task.outcome = "no_suspension"
    task.closing_note = note
    task.closed_by_id, task.closed_at = actor.id, utcnow()
    _record(task, actor, "escalation.closed", f"Closed without suspending: {note}", before)


def return_received(account_id: int, period_start: date, *, actor: User, today: date) -> None:
    """A return has arrived: an undecided task closes itself; a suspended one stays for an
    officer to reinstate, marked so the queue shows the return is in."""
    task = db.session.execute(
        select(EscalationTask).where(
            EscalationTask.account_id == account_id,
            EscalationTask.period_start == period_start,
            EscalationTask.status != TaskStatus.CLOSED,
        )
    ).scalar_one_or_none()
    if task is None or task.return_received_on is not None:
        return
    before = _snapshot(task)
    if task.status == TaskStatus.OPEN:
        try:
            _move(task, TaskStatus.OPEN, TaskStatus.CLOSED, DECIDED)
        except RuleError:
            # An officer decided at this very moment: the return is still recorded as sent,
            # and the task keeps the officer's decision.
            db.session.refresh(task)
        else:
            task.return_received_on = today
            task.outcome, task.closed_at = "return_received", utcnow()
            _record(task, actor, "escalation.closed", "Closed: the return arrived", before)
            return
    if task.status == TaskStatus.SUSPENDED:
        task.return_received_on = today
        _record(task, actor, "escalation.return_received", "The return arrived", before)


def reminders_for(task: EscalationTask) -> list[ReminderIssue]:
    return list(
        db.session.execute(
            select(ReminderIssue)
            .where(
                ReminderIssue.account_id == task.account_id,
                ReminderIssue.period_start == task.period_start,
            )
            .order_by(ReminderIssue.stage_date)
        ).scalars()
    )
