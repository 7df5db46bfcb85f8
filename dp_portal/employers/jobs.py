"""The employer checklist's reminder job: a letter RENEWAL_NOTICE_DAYS (30) before an item's
renewal date (employer's liability insurance, a PVG re-check), to the account's correspondent.

Exactly once per account, item and renewal date: ChecklistReminder's unique key, read after
taking the job's lock (a PostgreSQL advisory lock, or SQLite's writer lock). A day the job
did not run is caught up the next time it does, up to the renewal date itself (after that the
checklist shows the item as lapsed). Only an item's newest tick counts: ticking it again with
a new renewal date moves the reminder to the new date.

Scheduled daily (the scheduler's JOBS registry; see checklist_reminders_job) and runnable by
hand: `flask --app dp_portal dp checklist-reminders --as-of YYYY-MM-DD`.
"""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import func, select, text

from ..accounts.correspondents import correspondents
from ..accounts.models import Account
from ..core.daily_jobs import daily_command, run_daily
from ..core.letters import letter_row, record_letters
from ..extensions import db
from .checklist import RENEWAL_NOTICE_DAYS, item, reminder_day
from .models import ChecklistReminder, ChecklistTick

REMINDER_LOCK_KEY = 7_431_012
LETTER_KIND = "checklist_renewal"
SUBJECTS = {
    "insurance": "Your employer's liability insurance needs renewing",
    "pvg": "Time to check your PAs' PVG scheme membership",
}


def _one_runner_at_a_time(session) -> None:
    """Hold the job's lock for the rest of the transaction, before reading what was issued."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REMINDER_LOCK_KEY})
    else:
        # SQLite has one writer: a write first takes that lock (waiting for busy_timeout).
        session.execute(text("UPDATE checklist_reminders SET id = id WHERE 0 = 1"))


def due_renewals(today: date) -> list[tuple[int, str, date]]:
    """(account, item, renewal date) of every newest tick whose reminder day has come and
    whose renewal date has not passed, on accounts still open."""
    newest = select(func.max(ChecklistTick.id)).group_by(
        ChecklistTick.account_id, ChecklistTick.item_key
    )
    rows = db.session.execute(
        select(ChecklistTick.account_id, ChecklistTick.item_key, ChecklistTick.renews_on)
        .join(Account, Account.id == ChecklistTick.account_id)
        .where(
            ChecklistTick.id.in_(newest),
            ChecklistTick.renews_on.is_not(None),
            ChecklistTick.renews_on >= today,
            Account.status != "closed",
        )
        .order_by(ChecklistTick.account_id, ChecklistTick.item_key)
    ).all()
    return [(a, k, r) for a, k, r in rows if reminder_day(r) <= today]


def issue_checklist_reminders(today: date) -> int:
    """Issue every checklist renewal reminder due on or before `today`; how many."""
    session = db.session
    _one_runner_at_a_time(session)
    issued = set(
        map(
            tuple,
            session.execute(
                select(
                    ChecklistReminder.account_id,
                    ChecklistReminder.item_key,
                    ChecklistReminder.renews_on,
                )
            ),
        )
    )
    due = [row for row in due_renewals(today) if row not in issued]
    if not due:
        return 0
    session.execute(
        ChecklistReminder.__table__.insert(),
        [{"account_id": a, "item_key": k, "renews_on": r, "issued_on": today} for a, k, r in due],
    )
    to = correspondents(sorted({a for a, _, _ in due}))
    references = dict(
        session.execute(
            select(Account.id, Account.reference).where(Account.id.in_({a for a, _, _ in due}))
        ).all()
    )
    record_letters(
        [
            letter_row(
                account_id=a,
                kind=LETTER_KIND,
                subject=SUBJECTS.get(k, f"Time to renew: {item(k).title}"),
                to=to[a],
                context={
                    "reference": references[a],
                    "item_title": item(k).title,
                    "item_key": k,
                    "renews_on": r.isoformat(),
                    "notice_days": RENEWAL_NOTICE_DAYS,
                },
                letter_date=today,
            )
            for a, k, r in due
        ]
    )
    return len(due)


def checklist_reminders_job(app: Flask) -> int:
    """For the scheduler's JOBS registry (daily)."""
    return run_daily(app, issue_checklist_reminders, "employer checklist reminders")


checklist_reminders_command = daily_command(
    "checklist-reminders",
    issue_checklist_reminders,
    "employer checklist reminders",
    "Issue every employer checklist renewal reminder that has fallen due. Running it twice "
    "changes nothing.",
)
