"""The reports' data: the audit log (filtered, a page at a time), one audit event, and the
reminder report. Read only, except that a download is itself recorded in the audit log.
Nothing imports reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..accounts import scope as account_scope
from ..accounts.models import Account
from ..auth.models import User
from ..core.audit import AuditEvent, EventFilter, record_download
from ..core.errors import NotFound
from ..core.pagination import BoundedPage
from ..core.permissions import Viewer
from ..core.spreadsheets import workbook_bytes
from ..extensions import db
from . import audit_log
from . import reminders as reminder_report


def audit_filter(
    *, action: str, actor: str, account: str, date_from: date | None, date_to: date | None
) -> EventFilter:
    """What an officer typed, as the ids and prefixes the audit log is indexed by."""
    return audit_log.event_filter(
        action=action, actor=actor, account=account, date_from=date_from, date_to=date_to
    )


def audit_page(wanted: EventFilter, page: int) -> BoundedPage:
    """One page (50) of the audit log, newest first."""
    return audit_log.events_page(wanted, page)


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
