"""The reports' data: the audit log (filtered, a page at a time), one audit event, and the
reminder report. Read only, except that a download is itself recorded in the audit log.
Nothing imports reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..auth.models import User
from ..core.audit import AuditEvent, record_download
from ..core.errors import NotFound
from ..core.permissions import Viewer
from ..core.spreadsheets import workbook_bytes
from ..extensions import db
from ..monitoring.paging import CappedPage, capped_page
from . import reminders as reminder_report


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""  # the start of the action's name
    actor: str = ""  # an email, any case
    account: str = ""  # an account reference, any case
    date_from: date | None = None
    date_to: date | None = None


def _audit_query(filters: AuditFilters) -> Select[tuple[AuditEvent]]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if filters.action:
        query = query.where(AuditEvent.action.like(f"{filters.action}%"))
    if filters.actor:
        query = query.where(func.lower(AuditEvent.actor_label) == filters.actor.lower())
    if filters.account:
        # References are made upper case (DP000123): typed in any case, found by the index.
        account_id = db.session.execute(
            select(Account.id).where(Account.reference == filters.account.strip().upper())
        ).scalar()
        query = query.where(AuditEvent.account_id == (account_id or -1))
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
        query = query.where(AuditEvent.occurred_at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(AuditEvent.occurred_at < end)
    return query


def audit_page(filters: AuditFilters, page: int) -> CappedPage:
    """One page (50) of the audit log, newest first."""
    return capped_page(_audit_query(filters), AuditEvent.id, page)


def audit_event(viewer: Viewer, event_id: int) -> tuple[AuditEvent, Account | None]:
    """One event, and its account when the viewer may open it."""
    event = db.session.get(AuditEvent, event_id)
    if event is None:
        raise NotFound(f"audit event {event_id}")
    accounts = account_scope.load_accounts_by_id(viewer, {event.account_id})
    return event, accounts.get(event.account_id)


@dataclass(frozen=True)
class ReminderReport:
    overdue: list[tuple[str, int]]
    per_day: list[reminder_report.DayCount]
    first: reminder_report.FirstReminderSummary


def reminders(today: date, date_from: date, date_to: date) -> ReminderReport:
    """Overdue returns today by age; reminders dated between the dates by day and stage; and
    the first reminders for returns due between the dates."""
    return ReminderReport(
        reminder_report.overdue_by_age(today),
        reminder_report.reminders_per_day(date_from, date_to),
        reminder_report.first_reminders(date_from, date_to),
    )


def reminders_workbook(
    today: date, date_from: date, date_to: date, *, actor: User
) -> tuple[bytes, str]:
    """The reminder report as a spreadsheet, and its file name; the download is audited."""
    data = workbook_bytes(reminder_report.workbook_sheets(today, date_from, date_to))
    name = f"reminders-{date_from.isoformat()}-to-{date_to.isoformat()}.xlsx"
    record_download(actor, "reminder_report", name, detail="the reminder report")
    return data, name
